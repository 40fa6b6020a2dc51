// Bundles the CLI and server into dist/traslado.mjs (and the bulk plan's worker into dist/plan-worker.mjs), so `npm start` loads one file instead of
// transpiling ~150 TypeScript files at every start. Dependencies stay in node_modules.
// Then builds the web console into web/dist (Vite), which `traslado start` serves at `/`.
// `--prepare-template` (npm install's postinstall): once the bundle is written, also builds the
// embedded database's template and the ready-made demo (`traslado prepare-template`) in a process
// of its own, beside the console build (each waits on the disk part of the time).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { CLI_BUNDLE, PLAN_WORKER_BUNDLE } from './cli-bundle.mjs';

await Promise.all([build(CLI_BUNDLE), build(PLAN_WORKER_BUNDLE)]);

const template = process.argv.includes('--prepare-template')
  ? new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/traslado.js', 'prepare-template', '--quiet'], {
        stdio: 'inherit',
      });
      child.on('error', () => resolve(1));
      child.on('exit', (code) => resolve(code ?? 1));
    })
  : Promise.resolve(0);

const CONSOLE_CONFIG = 'web/vite.config.ts';
try {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    // A production install without dev dependencies: the API still runs, `/` says how to build.
    console.log('vite is not installed: the web console was not built (web/dist); `/` will say so.');
  }
  if (vite && !existsSync(CONSOLE_CONFIG)) {
    console.log(`no ${CONSOLE_CONFIG}: the web console was not built.`);
  } else if (vite) {
    // A failed console build fails this script: a console that silently stays stale is worse.
    await vite.build({ configFile: CONSOLE_CONFIG, logLevel: 'warn' });
    console.log('web console built into web/dist');
  }
} finally {
  // Never leave the template's build running on its own (a failed console build still waits for it).
  const templateExit = await template;
  if (templateExit !== 0) {
    console.error(`traslado prepare-template exited ${templateExit}`);
    process.exitCode = 1;
  }
}
