import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { freePort, ROOT, sleep } from '../fixtures/server-process.ts';

/**
 * `npm start` stopped by a signal leaves no server behind. npm runs the script through `sh -c`;
 * Debian's sh neither execs nor forwards the signal, so a SIGTERM to npm used to end npm and the
 * shell and leave `node bin/traslado.js start` running on its data folder, orphaned.
 */
let dir: string | undefined;
let npm: ChildProcess | undefined;

/** The processes whose command line names this test's data folder (unique per run). */
function holders(folder: string): { pid: number; args: string }[] {
  try {
    return execFileSync('pgrep', ['-af', folder], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ pid: Number(line.split(' ')[0]), args: line.slice(line.indexOf(' ') + 1) }))
      .filter((p) => p.pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

afterEach(async () => {
  // Whatever the outcome, nothing of this test keeps running (only the pids it found by its folder).
  if (dir) for (const p of holders(dir)) process.kill(p.pid, 'SIGKILL');
  if (npm?.pid && npm.exitCode === null) npm.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('SIGTERM to `npm start` leaves no server process', async () => {
  dir = await mkdtemp(join(tmpdir(), 'traslado-npm-start-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  // The embedded database in the temp folder, whatever the suite's environment says.
  delete env.DATABASE_URL;
  delete env.TRASLADO_DATA_DIR;
  let output = '';
  npm = spawn('npm', ['start', '--', '--data', dir, '--port', String(port), '--no-demo'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout?.on('data', (d) => {
    output += String(d);
  });
  npm.stderr?.on('data', (d) => {
    output += String(d);
  });
  const npmExited = new Promise((r) => npm!.once('exit', r));

  let up = false;
  for (let i = 0; i < 1200 && !up; i++) {
    up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (!up) await sleep(100);
  }
  expect(up, output).toBe(true);
  const running = holders(dir);
  expect(
    running.some((p) => p.args.includes('bin/traslado.js start')),
    JSON.stringify(running),
  ).toBe(true);

  npm.kill('SIGTERM');
  await npmExited;
  // The server shuts down (bounded by TRASLADO_SHUTDOWN_TIMEOUT_MS twice, 20 s by default).
  let left = holders(dir);
  for (let i = 0; i < 300 && left.length > 0; i++) {
    await sleep(100);
    left = holders(dir);
  }
  console.log(`[npm start] ${running.length} processes before SIGTERM; ${left.length} left after it`);
  expect(left).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
}, 180_000);
