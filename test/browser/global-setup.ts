/**
 * Starts the real thing once for all browser tests: builds the app if app/ changed since the last
 * build, then runs the Worker (wrangler dev) with fresh, temporary storage on SETME_TEST_PORT
 * (8799). It serves a copy of the build, so rebuilding while tests run (another run's setup) does
 * not take the files away from under it. Its log (where local mail is written) goes to the file
 * named by SETME_SERVER_LOG, which the tests read. Returns the teardown that stops it and deletes
 * the storage.
 */
import { execSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { startServer } from '../../scripts/server.mjs';

const ROOT = join(import.meta.dirname, '../..');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function buildIsStale(): boolean {
  try {
    const built = statSync(join(ROOT, 'build/index.html')).mtimeMs;
    return Math.max(newest(join(ROOT, 'app')), newest(join(ROOT, 'vite.config.ts'))) > built;
  } catch {
    return true;
  }
}

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  if (buildIsStale()) execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  const port = Number(new URL(config.projects[0]!.use.baseURL!).port);
  const persistTo = mkdtempSync(join(tmpdir(), 'setme-browser-tests-'));
  const assets = join(persistTo, 'build');
  cpSync(join(ROOT, 'build'), assets, { recursive: true });
  const logFile = join(persistTo, 'wrangler.log');
  // Set before the test workers start, so they inherit it.
  process.env.SETME_SERVER_LOG = logFile;
  const server = await startServer({ port, persistTo, quiet: true, logFile, assets });
  return async () => {
    await server.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
