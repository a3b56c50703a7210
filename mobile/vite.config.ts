import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const root = fileURLToPath(new URL('.', import.meta.url));
// Code shared with the dashboard: messages, formatting, the typed API client and the live feed.
const client = fileURLToPath(new URL('../client', import.meta.url));

/** Served by the API at /m/. */
export const MOBILE_BASE = '/m/';

/**
 * Two builds of one app. `web` (the default) is the PWA served at /m/ with its
 * service worker; `native` (MOBILE_TARGET=native, for Capacitor) is served by
 * the native shell from the bundle's root, where service workers do not run:
 * pushes and offline assets are the platform's there.
 */
const native = process.env.MOBILE_TARGET === 'native';

export default defineConfig({
  root,
  base: native ? '/' : MOBILE_BASE,
  plugins: [
    vue(),
    !native &&
      VitePWA({
        // Our own service worker, so it can show pushes and open their conversation on a tap.
        strategies: 'injectManifest',
        srcDir: 'src',
        filename: 'sw.ts',
        scope: MOBILE_BASE,
        base: MOBILE_BASE,
        registerType: 'autoUpdate',
        injectRegister: false,
        injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'] },
        manifest: {
          id: MOBILE_BASE,
          name: 'AutoCloser',
          short_name: 'AutoCloser',
          description: 'Your AI sales agent’s conversations, on your phone.',
          lang: 'en',
          start_url: MOBILE_BASE,
          scope: MOBILE_BASE,
          display: 'standalone',
          orientation: 'portrait',
          theme_color: '#0f766e',
          background_color: '#ffffff',
          icons: [
            { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
            { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
            { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
        },
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
    outDir: native ? 'dist/native' : 'dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    port: 5174,
    // Capacitor's live reload points the device at this server (see README.md).
    host: true,
    proxy: {
      '/api': { target: 'http://localhost:3000', changeOrigin: false, ws: true },
    },
  },
});
