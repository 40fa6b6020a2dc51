import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CLI_BUNDLE } from '../scripts/cli-bundle.mjs';
import { copyDataDir, isTemplateDir, templatePath } from '../src/platform/db/template.ts';
import { figure, heading, note } from './report.ts';

/**
 * Embedded start-to-serving time with the demo seed: from spawning `traslado start` on an empty
 * data folder to the first 200 from /healthz. Baseline, in the same run: a bare process that opens
 * PGlite from the same template (the tarball, through tsx) and serves one Fastify route.
 *
 * It measures a snapshot of the checkout after what `npm install` does (the server bundle and
 * `traslado prepare-template`, untimed), so edits to the working tree meanwhile change nothing.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** CPU time (user + system, all threads) a process has used so far, from /proc (Linux), else NaN. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function timeToServe(
  cwd: string,
  args: string[],
  port: number,
): Promise<{ ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - t0 > 60_000) throw new Error('did not start within 60 s');
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) return { ms: performance.now() - t0, cpuMs: cpuMs(child.pid) };
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * A snapshot of this checkout, installed as `npm install` would leave it: the sources (others may
 * edit the working tree during the bench), the server bundle and `traslado prepare-template` (the
 * schema template is copied over, its key being the same; the demo template is built).
 */
async function snapshotInstall(): Promise<string> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'traslado-bench-install-'));
  for (const p of [
    'package.json',
    'tsconfig.json',
    'bin',
    'src',
    'migrations',
    'data',
    'bench/start-baseline.ts',
  ])
    await cp(join(ROOT, p), join(dir, p), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tarball = await templatePath();
  const unpacked = tarball.replace(/\.tar\.gz$/, '.d');
  await mkdir(join(dir, '.cache'));
  await cp(tarball, join(dir, '.cache', basename(tarball))).catch(() => {});
  if (await isTemplateDir(unpacked)) await copyDataDir(unpacked, join(dir, '.cache', basename(unpacked)));
  await build({ ...CLI_BUNDLE, absWorkingDir: dir });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/traslado.js', 'prepare-template', '--quiet'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: '' },
      stdio: 'inherit',
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`prepare-template exited ${code}`)),
    );
  });
  note(
    `a snapshot of the checkout, bundled and prepared as at install (${((performance.now() - t0) / 1000).toFixed(1)} s, untimed)`,
  );
  return dir;
}

export async function benchStart(runs = 3) {
  heading(`4. Embedded (PGlite) start to serving, with the demo seed (median of ${runs})`);
  const install = await snapshotInstall();
  const ours: { ms: number; cpuMs: number }[] = [];
  const base: { ms: number; cpuMs: number }[] = [];
  // Data folders on the project's disk, where the default ./.data lives.
  const parent = join(ROOT, '.cache', `bench-start-${process.pid}`);
  await mkdir(parent, { recursive: true });
  try {
    for (let i = 0; i < runs; i++) {
      const dir = join(parent, String(i));
      ours.push(await timeToServe(install, ['bin/traslado.js', 'start', '--data', dir], 3901 + i));
      await rm(dir, { recursive: true, force: true });
      base.push(await timeToServe(install, ['--import', 'tsx', 'bench/start-baseline.ts'], 3951 + i));
    }
  } finally {
    await rm(parent, { recursive: true, force: true });
    await rm(install, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const o = median(ours.map((x) => x.ms)) / 1000;
  const b = median(base.map((x) => x.ms)) / 1000;
  // Issue 20 item 4: ≤ 1.1× the baseline, and ≤ 3 s where the baseline is under 2 s.
  figure('start.demo_s', o, 's', {
    op: '≤',
    value: 3,
    unit: 's',
    ...(b >= 2 ? { note: `where the baseline is under 2 s; here ${b.toFixed(2)} s` } : {}),
  });
  figure('start.baseline_s', b, 's');
  figure('start.ratio_vs_baseline', o / b, '×', { op: '≤', value: 1.1, unit: '×' });
  // CPU time does not grow with other people's load the way wall time does.
  figure('start.demo_cpu_s', median(ours.map((x) => x.cpuMs)) / 1000, 's cpu');
  figure('start.baseline_cpu_s', median(base.map((x) => x.cpuMs)) / 1000, 's cpu');
  note(
    'baseline: a process that opens PGlite from the same template (tarball, through tsx) and serves one route',
  );
  return { s: o, baselineS: b };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStart(Number(process.argv[2] ?? 3));
