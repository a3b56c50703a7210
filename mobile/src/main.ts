import { SplashScreen } from '@capacitor/splash-screen';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { isNative } from './platform';
import { listenForPushes } from './push';
import { router } from './router';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.use(router);
document.documentElement.lang = i18n.global.locale.value;
listenForPushes(router);
app.mount('#app');

if (isNative) {
  void router.isReady().then(() => SplashScreen.hide());
} else if (import.meta.env.MODE === 'production' && 'serviceWorker' in navigator) {
  // MODE, not PROD: a build made where NODE_ENV is 'test' is still the real app, with its service worker.
  // The app shell comes from the cache next time, so /m/ opens offline; a new build takes over on the next launch.
  void import('workbox-window').then(({ Workbox }) => new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).register());
}
