import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const root = fileURLToPath(new URL('.', import.meta.url));
// Code shared with the mobile app: messages, formatting and the typed API client.
const client = fileURLToPath(new URL('../client', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  plugins: [
    vue(),
    // The service worker for Web Push (src/sw.ts), built to /app/sw.js; the app registers it when the member turns browser notifications on.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      scope: '/app/',
      base: '/app/',
      injectRegister: false,
      manifest: false,
      // Nothing precached (see sw.ts), so no manifest to inject.
      injectManifest: { injectionPoint: undefined },
      devOptions: { enabled: true, type: 'module' },
    }),
  ],
  resolve: { alias: { '@client': client } },
  define: {
    // vue-i18n feature flags: composition API only, no devtools in production builds.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://localhost:3000', changeOrigin: false, ws: true },
      '/widget.js': { target: 'http://localhost:3000' },
    },
  },
});
