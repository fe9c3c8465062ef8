/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The page is served by the server's jar from the classpath folder /agentry-web; `npm run dev` serves it
// with hot reload and sends the API to a server on :7070.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'target/classes/agentry-web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:7070', changeOrigin: false } },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
