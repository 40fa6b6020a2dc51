// Bundles the CLI and server into dist/traslado.mjs (and the bulk plan's worker into dist/plan-worker.mjs), so `npm start` loads one file instead of
// transpiling ~150 TypeScript files at every start. Dependencies stay in node_modules.
// Then builds the web console into web/dist (Vite), which `traslado start` serves at `/`.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { CLI_BUNDLE, PLAN_WORKER_BUNDLE } from './cli-bundle.mjs';

await Promise.all([build(CLI_BUNDLE), build(PLAN_WORKER_BUNDLE)]);

const CONSOLE_CONFIG = 'web/vite.config.ts';
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
