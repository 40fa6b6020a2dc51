// How the CLI and server are bundled into dist/traslado.mjs: one definition for `npm run build`
// and for the start bench's snapshot of the checkout.
export const CLI_BUNDLE = {
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: 'dist/traslado.mjs',
  sourcemap: 'linked',
  logLevel: 'warning',
};

// The bulk plan's worker thread (src/modules/transitions/transitions.plan-worker.ts), beside the
// CLI bundle: planBulk starts it from dist/plan-worker.mjs when it runs from dist/traslado.mjs.
export const PLAN_WORKER_BUNDLE = {
  ...CLI_BUNDLE,
  entryPoints: ['src/modules/transitions/transitions.plan-worker.ts'],
  outfile: 'dist/plan-worker.mjs',
};
