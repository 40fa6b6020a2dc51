import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

/**
 * A PGlite started from a data-folder tarball leaves no timer running once closed. PostgreSQL arms
 * a startup-progress timer while it starts (recovery), every 10 s; in PGlite it is a JavaScript
 * timer that outlived `close()` and kept the process alive for good: the test run's main process,
 * which builds the tests' copy template, waited for Vitest's 10-second close timeout at every run.
 * (A write also arms PostgreSQL's idle statistics timer: one shot, gone 10 s later.)
 */
const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url).pathname;

it('leaves no timer once closed, after starting from the template', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/pglite-timers-child.ts'],
    {
      cwd: ROOT,
      timeout: 60_000,
    },
  );
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([]);
});
