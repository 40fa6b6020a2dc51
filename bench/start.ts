import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Embedded start-to-serving time with the demo seed: from spawning `traslado start` on an empty
 * data folder to the first 200 from /healthz. Baseline, in the same run: a bare process that opens
 * PGlite from the same template and serves one Fastify route.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));

async function timeToServe(args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - t0 > 60_000) throw new Error('did not start within 60 s');
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) return performance.now() - t0;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

export async function benchStart(runs = 3) {
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'traslado-bench-'));
    try {
      ours.push(await timeToServe(['bin/traslado.js', 'start', '--data', dir], 3901 + i));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    base.push(await timeToServe(['--import', 'tsx', 'bench/start-baseline.ts'], 3951 + i));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const o = median(ours);
  const b = median(base);
  console.log(`embedded start with demo seed: ${(o / 1000).toFixed(2)} s (median of ${runs}); target ≤ 3 s`);
  console.log(
    `  baseline (PGlite from template + bare Fastify): ${(b / 1000).toFixed(2)} s; ratio ${(o / b).toFixed(2)}×`,
  );
  return { ms: o, baselineMs: b };
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStart(Number(process.argv[2] ?? 3));
