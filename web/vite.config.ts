// The build of the web client: static files in dist/ (index.html and hashed assets/), served by the gateway at /.
import { defineConfig } from 'vite';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2022',
    // The gateway's CSP allows scripts from 'self' only; modern browsers preload modules without Vite's polyfill.
    modulePreload: { polyfill: false },
    // Every asset a file of its own (no data: URLs inlined into CSS or JS).
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev`: the API of a running local stack (make up) behind Vite's dev server.
    proxy: {
      '/api': { target: process.env.OSOOL_GATEWAY ?? 'http://127.0.0.1:8080', changeOrigin: false },
      '/.well-known': process.env.OSOOL_GATEWAY ?? 'http://127.0.0.1:8080',
    },
  },
});
