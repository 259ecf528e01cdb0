import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the UI into `web/dist`, which `ballast serve` serves at `/`.
 * In development (`npx vite --config web/vite.config.ts`) API calls are
 * proxied to a running server (`BALLAST_URL`, default the server's port).
 */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // uPlot and React are the bulk; one chunk keeps serving trivial.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': { target: process.env.BALLAST_URL ?? 'http://127.0.0.1:7420', changeOrigin: true },
    },
  },
});
