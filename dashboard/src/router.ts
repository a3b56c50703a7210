import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteMeta, type RouteRecordRaw, type RouteRecordSingleView } from 'vue-router';
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

/** A named page whose view loads on first visit. */
function page(path: string, name: string, component: RouteRecordSingleView['component'], meta: RouteMeta): RouteRecordRaw {
  return { path, name, component, meta };
}

export const router = createRouter({
  history: createWebHistory('/app/'),
  routes: [
    { path: '/', redirect: '/inbox' },
    page('/login', 'login', () => import('./views/LoginView.vue'), { layout: 'auth', public: true, title: 'auth.signIn' }),
    page('/register', 'register', () => import('./views/RegisterView.vue'), { layout: 'auth', public: true, title: 'auth.createAccount' }),
    page('/accept-invite', 'accept-invite', () => import('./views/AcceptInviteView.vue'), { layout: 'auth', public: true, title: 'auth.acceptInvite' }),
    page('/onboarding', 'onboarding', () => import('./views/OnboardingView.vue'), { layout: 'focus', minRole: 'admin', title: 'onboarding.title' }),
    page('/inbox', 'inbox', () => import('./views/InboxView.vue'), { layout: 'app', title: 'nav.inbox' }),
    page('/inbox/:conversationId', 'conversation', () => import('./views/InboxView.vue'), { layout: 'app', title: 'nav.inbox' }),
    page('/analytics', 'analytics', () => import('./views/AnalyticsView.vue'), { layout: 'app', title: 'nav.analytics' }),
    page('/catalog', 'catalog', () => import('./views/CatalogView.vue'), { layout: 'app', title: 'nav.catalog' }),
    page('/templates', 'templates', () => import('./views/TemplatesView.vue'), { layout: 'app', title: 'nav.templates' }),
    page('/settings/:tab?', 'settings', () => import('./views/SettingsView.vue'), { layout: 'app', title: 'nav.settings' }),
    page('/billing', 'billing', () => import('./views/BillingView.vue'), { layout: 'app', minRole: 'owner', title: 'nav.billing' }),
    page('/:pathMatch(.*)*', 'not-found', () => import('./views/NotFoundView.vue'), { layout: 'app', title: 'notFound.title' }),
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
