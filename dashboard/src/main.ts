import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n } from './i18n';
import { APP_BASE, isOpenMessage } from './push/notification';
import { router } from './router';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.use(router);
document.documentElement.lang = i18n.global.locale.value;
app.mount('#app');

// A tapped browser notification: the service worker asks this open window to show the conversation.
navigator.serviceWorker?.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isOpenMessage(event.data)) void router.push(event.data.path.slice(APP_BASE.length - 1));
});
