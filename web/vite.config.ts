import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: webRoot,
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // The console imports the plugin SDK from ../plugins/sdk (one validator for both sides).
    fs: { allow: [repoRoot] },
    proxy: {
      // The API server (`npm run dev` starts both and sets PLUGFORM_API_URL).
      '/graphql': { target: process.env.PLUGFORM_API_URL ?? 'http://localhost:4000', changeOrigin: true, ws: true },
    },
  },
});
