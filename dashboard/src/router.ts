import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { useAuthStore } from './stores/auth';
import type { Role } from './types';

declare module 'vue-router' {
  interface RouteMeta {
    /** auth: signed-out pages; focus: signed in, no sidebar; app: the full shell. */
    layout?: 'auth' | 'focus' | 'app';
    public?: boolean;
    minRole?: Role;
    title?: string;
  }
}

export const router = createRouter({
  history: createWebHistory('/app/'),
  routes: [
    { path: '/', redirect: '/inbox' },
    {
      path: '/login',
      name: 'login',
      component: () => import('./views/LoginView.vue'),
      meta: { layout: 'auth', public: true, title: 'auth.signIn' },
    },
    {
      path: '/register',
      name: 'register',
      component: () => import('./views/RegisterView.vue'),
      meta: { layout: 'auth', public: true, title: 'auth.createAccount' },
    },
    {
      path: '/accept-invite',
      name: 'accept-invite',
      component: () => import('./views/AcceptInviteView.vue'),
      meta: { layout: 'auth', public: true, title: 'auth.acceptInvite' },
    },
    {
      path: '/onboarding',
      name: 'onboarding',
      component: () => import('./views/OnboardingView.vue'),
      meta: { layout: 'focus', minRole: 'admin', title: 'onboarding.title' },
    },
    { path: '/inbox', name: 'inbox', component: () => import('./views/InboxView.vue'), meta: { layout: 'app', title: 'nav.inbox' } },
    {
      path: '/inbox/:conversationId',
      name: 'conversation',
      component: () => import('./views/InboxView.vue'),
      meta: { layout: 'app', title: 'nav.inbox' },
    },
    {
      path: '/analytics',
      name: 'analytics',
      component: () => import('./views/AnalyticsView.vue'),
      meta: { layout: 'app', title: 'nav.analytics' },
    },
    {
      path: '/catalog',
      name: 'catalog',
      component: () => import('./views/CatalogView.vue'),
      meta: { layout: 'app', title: 'nav.catalog' },
    },
    {
      path: '/templates',
      name: 'templates',
      component: () => import('./views/TemplatesView.vue'),
      meta: { layout: 'app', title: 'nav.templates' },
    },
    {
      path: '/settings/:tab?',
      name: 'settings',
      component: () => import('./views/SettingsView.vue'),
      meta: { layout: 'app', title: 'nav.settings' },
    },
    {
      path: '/billing',
      name: 'billing',
      component: () => import('./views/BillingView.vue'),
      meta: { layout: 'app', minRole: 'owner', title: 'nav.billing' },
    },
    {
      path: '/:pathMatch(.*)*',
      name: 'not-found',
      component: () => import('./views/NotFoundView.vue'),
      meta: { layout: 'app', title: 'notFound.title' },
    },
  ],
});

function safeRedirect(to: RouteLocationNormalized): string | null {
  const r = to.query.redirect;
  return typeof r === 'string' && r.startsWith('/') && !r.startsWith('//') ? r : null;
}

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  if (!auth.restored) await auth.restore();
  if (to.meta.public) {
    // A signed-in user opening the sign-in page goes to the app; accepting an invite stays reachable.
    if (auth.isAuthenticated && to.name !== 'accept-invite') return safeRedirect(to) ?? '/inbox';
    return true;
  }
  if (!auth.isAuthenticated) return { path: '/login', query: to.fullPath !== '/inbox' && to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.meta.minRole && !auth.can(to.meta.minRole)) return '/inbox';
  return true;
});
