/**
 * The app's type check follows the API contract: a schema change the app does not handle breaks
 * `svelte-check` in an app file. For each case below this copies worker/contract into a scratch
 * folder, changes the copy, and type-checks the app against it (a tsconfig whose `paths` sends
 * `#contract` to the copy); the unchanged copy must pass, each change must fail in app/. The
 * checks run side by side. Prints one line per case; exits 1 unless every case went as expected.
 *
 *   node test/types/contract-drift.mjs      (npm run test:types)
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
// Inside the repository, so the copy's `import { z } from 'zod'` finds node_modules.
const SCRATCH = join(ROOT, 'node_modules/.cache/contract-drift');
const BIN = join(ROOT, 'node_modules/.bin');

/**
 * @typedef {{ file: string, from: string, to: string }} Edit  An exact text replacement in a contract file.
 * @typedef {{ name: string, edits: Edit[], mentions?: string }} Case  No edits: the contract as it is, which
 *   must pass. Otherwise the app must fail with an error in app/ that mentions `mentions` (so it fails
 *   for the change, not for something else).
 */

/** @type {Case[]} */
const CASES = [
  { name: 'the contract as it is', edits: [] },
  {
    name: 'a User field the app shows is renamed (lastActiveAt → lastSeenAt)',
    mentions: 'lastActiveAt',
    edits: [
      {
        file: 'users.ts',
        from: "    createdAt: Timestamp,\n    lastActiveAt: Timestamp.nullable(),\n  })\n  .meta({ id: 'User' });",
        to: "    createdAt: Timestamp,\n    lastSeenAt: Timestamp.nullable(),\n  })\n  .meta({ id: 'User' });",
      },
    ],
  },
  {
    name: 'a request body the app sends gains a required field (CreateUserBody.department)',
    mentions: 'department',
    edits: [
      {
        file: 'users.ts',
        from: "export const CreateUserBody = z\n  .object({\n    name: Name.meta({ example: 'Grace Hopper' }),",
        to: "export const CreateUserBody = z\n  .object({\n    department: z.string(),\n    name: Name.meta({ example: 'Grace Hopper' }),",
      },
    ],
  },
  {
    name: "an enum the app names every value of gains one (Role: 'auditor')",
    mentions: 'auditor',
    edits: [
      {
        file: 'users.ts',
        from: "export const Role = z.enum(['administrator', 'technician', 'team_manager']);",
        to: "export const Role = z.enum(['administrator', 'technician', 'team_manager', 'auditor']);",
      },
    ],
  },
];

/** A scratch folder with the contract, changed by `edits`, and a tsconfig that points the app at it. */
function prepare(index, edits) {
  const dir = join(SCRATCH, String(index));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'worker/contract'), join(dir, 'contract'), { recursive: true });
  for (const { file, from, to } of edits) {
    const path = join(dir, 'contract', file);
    const text = readFileSync(path, 'utf8');
    // A case whose text is gone would pass for the wrong reason: say so instead.
    if (!text.includes(from)) throw new Error(`contract/${file} no longer contains the text this case changes:\n${from}`);
    writeFileSync(path, text.replace(from, to));
  }
  const tsconfig = { extends: '../../../../tsconfig.json', compilerOptions: { paths: { '#contract': ['./contract/index.ts'] } } };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return join(dir, 'tsconfig.json');
}

/** Runs svelte-check (types only) with `tsconfig`; resolves with its errors as { file, line, message }. */
function check(tsconfig) {
  return new Promise((resolve, reject) => {
    const args = ['--tsconfig', tsconfig, '--output', 'machine', '--diagnostic-sources', 'js'];
    const child = spawn(join(BIN, 'svelte-check'), args, { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const errors = [...out.matchAll(/^\d+ ERROR "([^"]+)" (\d+):\d+ "(.*)"$/gm)].map(([, file, line, message]) => ({ file, line, message }));
      if (!/ COMPLETED /.test(out)) reject(new Error(`svelte-check did not complete:\n${out}`));
      else resolve(errors);
    });
  });
}

/** Runs `jobs` with at most `limit` at a time, keeping their order. */
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const started = performance.now();
execFileSync(join(BIN, 'svelte-kit'), ['sync'], { cwd: ROOT, stdio: 'inherit' });
const results = await pool(
  CASES.map((c, i) => () => check(prepare(i, c.edits))),
  availableParallelism(),
);
rmSync(SCRATCH, { recursive: true, force: true });

let failures = 0;
console.log(`Contract drift: the app's type check against ${CASES.length} versions of the contract`);
CASES.forEach(({ name, edits, mentions }, i) => {
  const errors = results[i];
  const inApp = errors.filter((e) => e.file.startsWith('app/') && e.message.includes(mentions ?? ''));
  const expected = edits.length === 0 ? errors.length === 0 : inApp.length > 0;
  if (!expected) failures++;
  const first = inApp[0] ?? errors[0];
  const found =
    errors.length === 0
      ? 'no errors'
      : `${errors.length} error(s), ${inApp.length} in app/ about it, e.g. ${first.file}:${first.line} ${first.message.slice(0, 80)}`;
  console.log(`  ${expected ? '✓' : '✗'} ${name}: ${edits.length === 0 ? 'must pass' : 'must fail in app/'}; ${found}`);
});
console.log(`${CASES.length - failures} of ${CASES.length} as expected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failures === 0 ? 0 : 1;
