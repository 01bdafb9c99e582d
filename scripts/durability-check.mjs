// `npm run test:durability`: data written before a restart of `wrangler dev` is all there after it.
// Starts the local server on a free port with a fresh storage folder, writes a subscription (users,
// seats, a transfer, a seat-count change, an API token, a signed-in session), stops the server,
// starts it again on the same folder, and compares everything the API shows. Prints PASS or FAIL
// and exits non-zero on failure.
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allPages, bearer, freePort } from './local-api.mjs';
import { signUpByMail } from './mailbox.mjs';
import { client, startServer } from './server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'quiet harbour lanterns 2026';

/** Timestamps that reading moves ("last seen"), left out of the comparison. */
const VOLATILE = new Set(['lastActiveAt', 'lastUsedAt', 'lastSeenAt']);
const stable = (value) =>
  JSON.parse(JSON.stringify(value, (key, v) => (VOLATILE.has(key) ? undefined : v)));

/** What the API shows of the subscription, through the token. */
async function snapshot(call) {
  const me = await call('GET', '/me');
  const subscription = await call('GET', '/subscription');
  const tokens = await call('GET', '/tokens');
  return stable({
    me: me.body,
    subscription: subscription.body,
    users: await allPages(call, '/users'),
    holders: (await allPages(call, '/users?seat=assigned')).map((u) => u.id),
    tokens: tokens.body,
    audit: await allPages(call, '/audit'),
  });
}

function expect(failures, what, ok, detail = '') {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `: ${detail}`}`);
  if (!ok) failures.push(what);
}

async function main() {
  if (!existsSync(`${ROOT}build/index.html`)) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-durability-'));
  const port = await freePort();
  const failures = [];
  let server = null;
  try {
    console.log(`Durability across a restart of wrangler dev (storage in ${persistTo}, port ${port})`);
    server = await startServer({ port, persistTo, quiet: true });
    const browser = client(server.baseUrl);
    const email = `durable.${Date.now()}@example.com`;
    const signup = await signUpByMail(browser, server.mailbox, {
      organization: 'Durable Support', name: 'Dora Durable', email, password: PASSWORD, seats: 4, assignSeat: true,
    });
    if (signup.status !== 201) throw new Error(`signup answered ${signup.status} ${JSON.stringify(signup.body)}`);
    const token = await browser('POST', '/tokens', { name: 'durability script' });
    if (token.status !== 201) throw new Error(`token answered ${token.status} ${JSON.stringify(token.body)}`);
    const api = bearer(server.baseUrl, token.body.token);

    const created = [];
    for (const [name, assignSeat] of [['Ana Holder', true], ['Ben Holder', true], ['Cy Waiting', false], ['Di Waiting', false]]) {
      const reply = await api('POST', '/users', { name, email: `${name.split(' ')[0].toLowerCase()}.${Date.now()}@example.com`, assignSeat });
      if (reply.status !== 201) throw new Error(`create ${name} answered ${reply.status} ${JSON.stringify(reply.body)}`);
      created.push(reply.body.user);
    }
    const [ana, ben, cy, di] = created;
    const writes = [
      await api('POST', '/seats/transfer', { from: ana.id, to: cy.id }),
      await api('DELETE', `/users/${ben.id}/seat`),
      await api('PUT', `/users/${di.id}/seat`),
      await api('PATCH', '/subscription', { seats: 5, name: 'Durable Support Ltd' }),
      await api('PATCH', `/users/${ben.id}`, { name: 'Ben Renamed' }),
    ];
    const refused = writes.filter((w) => w.status !== 200);
    if (refused.length) throw new Error(`a write was refused: ${JSON.stringify(refused)}`);
    const before = await snapshot(api);
    console.log(
      `  wrote: ${before.users.length} users, ${before.holders.length} of ${before.subscription.seats.purchased} seats held, ` +
        `${before.audit.length} audit entries, ${before.tokens.items.length} token`,
    );

    await server.stop();
    console.log('  stopped; starting again on the same storage…');
    server = await startServer({ port, persistTo, quiet: true });

    const tokenWorks = await api('GET', '/me');
    expect(failures, 'the API token still works', tokenWorks.status === 200, `${tokenWorks.status} ${tokenWorks.body?.code}`);
    const sessionWorks = await browser('GET', '/me');
    expect(failures, 'the session cookie from before the restart still works', sessionWorks.status === 200, `${sessionWorks.status} ${sessionWorks.body?.code}`);
    const after = await snapshot(api).catch((error) => ({ error: String(error) }));
    for (const key of Object.keys(before)) {
      const same = JSON.stringify(after[key]) === JSON.stringify(before[key]);
      expect(failures, `${key} unchanged`, same, `before ${String(JSON.stringify(before[key])).slice(0, 300)} after ${String(JSON.stringify(after[key] ?? after.error)).slice(0, 300)}`);
    }
    expect(failures, 'seats held after the restart are those of before (Cy and Di, the administrator)',
      JSON.stringify([...(after.holders ?? [])].sort()) === JSON.stringify([signup.body.user.id, cy.id, di.id].sort()), JSON.stringify(after.holders));
    const login = await client(server.baseUrl)('POST', '/auth/login', { email, password: PASSWORD });
    expect(failures, 'signing in with the email and password still works (the email index survived)', login.status === 200, `${login.status}`);
    const change = await api('PUT', `/users/${ana.id}/seat`);
    expect(failures, 'changes still work after the restart', change.status === 200, JSON.stringify(change.body));
    const counts = (await api('GET', '/subscription')).body?.seats;
    expect(failures, 'the seat counter is right after a change', counts?.assigned === 4 && counts?.purchased === 5, JSON.stringify(counts));
  } catch (error) {
    failures.push(String(error));
    console.error(`  error: ${error instanceof Error ? error.stack : error}`);
  } finally {
    await server?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  if (failures.length) {
    console.log(`\nFAIL: ${failures.length} check(s) failed: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log('\nPASS: everything written before the restart is there after it.');
}

await main();
