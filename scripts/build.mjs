// Bundles the CLI and server into dist/traslado.mjs, so `npm start` loads one file instead of
// transpiling ~150 TypeScript files at every start. Dependencies stay in node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: 'dist/traslado.mjs',
  sourcemap: 'linked',
  logLevel: 'warning',
});
