import { createRouter, createWebHistory } from 'vue-router';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    /** Shows the bottom tab bar. */
    tabs?: boolean;
  }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/', redirect: '/inbox' },
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    { path: '/inbox', name: 'inbox', component: () => import('./views/InboxView.vue'), meta: { tabs: true } },
    { path: '/c/:conversationId', name: 'conversation', component: () => import('./views/ConversationView.vue'), props: true },
    { path: '/notifications', name: 'notifications', component: () => import('./views/NotificationsView.vue'), meta: { tabs: true } },
    { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue'), meta: { tabs: true } },
    { path: '/:pathMatch(.*)*', redirect: '/inbox' },
  ],
});

router.beforeEach(async (to) => {
  const session = useSessionStore();
  await session.restore();
  if (to.meta.public) return session.signedIn ? { path: '/inbox' } : true;
  if (!session.signedIn) return { path: '/login', query: to.fullPath !== '/inbox' ? { redirect: to.fullPath } : {} };
  return true;
});
