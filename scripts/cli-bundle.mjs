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
