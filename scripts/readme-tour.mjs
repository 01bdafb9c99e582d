// `node scripts/readme-tour.mjs` (after `npm run build`): runs the README's "tour of the API with curl"
// verbatim in one bash against a fresh local server (PORT, default 8787, and an empty state
// directory), then checks every answer: all succeed except the one the text says is refused (the user
// created when the seats are full: 409, nothing created). Keeps the README true when the API changes.
// Where the text asks to paste the sign-up confirmation token from the mail, this script hands the
// shell the token from the mail the server printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linkToken } from './mailbox.mjs';
import { startServer } from './server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const port = Number(process.env.PORT ?? 8787);
const EXPECTED_REFUSALS = ['409 no_seats_available'];

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const tour = readme.slice(readme.indexOf('## A tour of the API with curl'), readme.indexOf('\n## ', readme.indexOf('## A tour')));
const script = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]).join('\n');
if (!/^PORT=8787$/m.test(script)) throw new Error('The tour no longer starts with PORT=8787: update this check.');
const PASTE = /^CONFIRM='paste the token from the mail here'$/m;
if (!PASTE.test(script)) throw new Error('The tour no longer pastes CONFIRM from the mail: update this check.');
const signupEmail = /"email":"([^"]+)"/.exec(script)[1];

const persistTo = mkdtempSync(join(tmpdir(), 'setme-tour-'));
const server = await startServer({ port, persistTo, quiet: true });
let answers;
try {
  // The one change to the text: curl also prints each answer's status, on a line of its own.
  const prelude = `set -u\ncurl() { command curl -w '\\n[HTTP %{http_code}]\\n' "$@" | tee -a "${persistTo}/answers"; }\n`;
  // The other: the token is pasted from the mail (once this script has read it from the server).
  const tokenFile = join(persistTo, 'confirm-token');
  const paste = `until [ -s "${tokenFile}" ]; do sleep 0.1; done; CONFIRM=$(cat "${tokenFile}")`;
  const shell = spawn('bash', ['-c', prelude + script.replace(/^PORT=8787$/m, `PORT=${port}`).replace(PASTE, paste)], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => shell.once('exit', resolve));
  const mailed = server.mailbox.next(signupEmail, 0, 60_000).then((mail) => {
    const token = linkToken(mail.text, '/confirm-signup');
    if (!token) throw new Error(`the mail to ${signupEmail} has no confirmation link: ${mail.text}`);
    writeFileSync(tokenFile, token);
  });
  // No mail: the shell would wait for ever.
  mailed.catch(() => shell.kill());
  const status = await exited;
  await mailed;
  if (status !== 0) throw new Error(`the tour's shell exited with ${status}`);
  answers = readFileSync(join(persistTo, 'answers'), 'utf8');
} finally {
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}

// Each answer is its body followed by "[HTTP nnn]".
const results = [...answers.matchAll(/([\s\S]*?)\n\[HTTP (\d{3})\]\n/g)].map(([, body, status]) => ({ body, status: Number(status) }));
const refusals = results
  .filter((r) => r.status >= 400 || r.status < 200)
  .map((r) => `${r.status} ${/"code":"([^"]+)"/.exec(r.body)?.[1] ?? r.body.slice(0, 200)}`);
const unexpected = refusals.filter((refusal, i) => refusal !== EXPECTED_REFUSALS[i]);
console.log(`\n${results.length} answers; refused: ${refusals.join(', ') || 'none'}`);
if (unexpected.length > 0 || refusals.length !== EXPECTED_REFUSALS.length) {
  console.error(`README tour: FAILED (expected only ${EXPECTED_REFUSALS.join(', ')})`);
  process.exit(1);
}
console.log('README tour: every command works as written');
