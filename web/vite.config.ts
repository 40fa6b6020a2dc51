import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// The console is served by `traslado start` at `/`; in development Vite serves it and passes
// `/api` through to a running server, so the session cookie stays same-origin.
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The chart library is only needed by the planner; keep it out of the first download's critical chunk.
    rollupOptions: {
      output: {
        manualChunks: (id) =>
          id.includes('node_modules/recharts') || id.includes('node_modules/d3-') ? 'charts' : undefined,
      },
    },
  },
  server: {
    // The permission table is shared with the server (src/platform/auth/permissions.ts).
    fs: { allow: [repoRoot] },
    proxy: { '/api': { target: process.env.TRASLADO_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
