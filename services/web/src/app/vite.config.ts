import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The app lives in src/app (the root .dockerignore sends a service's src/ only); the build lands in
// dist/public, which the small production server (src/main.ts) serves.
//
// The app talks only to `/graphql` on its own origin. In development (and `vite preview`) that path is proxied
// to the gateway, WebSocket upgrades (graphql-ws subscriptions) included; in the cluster the ingress routes it.
// The browser's Origin header is passed on unchanged, so the gateway's CORS_ORIGINS (default
// http://localhost:5173) must list the page's origin for subscriptions to be accepted.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';
const port = Number(process.env.WEB_PORT ?? 5173);
const proxy = { '/graphql': { target: gateway, ws: true } };

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  server: { host: '127.0.0.1', port, strictPort: true, proxy },
  preview: { host: '127.0.0.1', port, strictPort: true, proxy },
  build: {
    outDir: resolve(import.meta.dirname, '../../dist/public'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
});
