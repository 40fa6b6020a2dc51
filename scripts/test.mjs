// `npm test`: the static checks (`npm run check`: both type checks, Biome, the module boundaries)
// and the Vitest suite, side by side rather than one after the other. The suite leaves a share of
// the CPU idle while its files wait on PostgreSQL, server processes and Chromium, and the checks
// (~45 s, mostly one core) fit in it (docs/testing.md). The checks' output is printed when they
// end, in one piece; the run fails if either fails. Arguments go to Vitest.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const checks = new Promise((resolve) => {
  const child = spawn(npm, ['run', '--silent', 'check'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  child.on('close', (code, signal) => {
    const ok = code === 0;
    process.stdout.write(
      `\n── npm run check: ${ok ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`} ──\n${out.trim() ? `${out.trim()}\n` : ''}\n`,
    );
    resolve(ok);
  });
});

const suite = new Promise((resolve) => {
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  child.on('close', (code) => resolve(code === 0));
});

const [checked, tested] = await Promise.all([checks, suite]);
if (!checked) console.error('npm test: the static checks failed (see "npm run check" above).');
process.exit(checked && tested ? 0 : 1);
