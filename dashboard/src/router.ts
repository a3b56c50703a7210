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
    page('/forgot-password', 'forgot-password', () => import('./views/ForgotPasswordView.vue'), { layout: 'auth', public: true, title: 'auth.resetTitle' }),
    page('/reset-password', 'reset-password', () => import('./views/ResetPasswordView.vue'), { layout: 'auth', public: true, title: 'auth.newPasswordTitle' }),
    page('/verify-email', 'verify-email', () => import('./views/VerifyEmailView.vue'), { layout: 'auth', public: true, title: 'auth.verifyTitle' }),
    page('/accept-invite', 'accept-invite', () => import('./views/AcceptInviteView.vue'), { layout: 'auth', public: true, title: 'auth.acceptInvite' }),
    page('/onboarding', 'onboarding', () => import('./views/OnboardingView.vue'), { layout: 'focus', minRole: 'admin', title: 'onboarding.title' }),
    page('/inbox', 'inbox', () => import('./views/InboxView.vue'), { layout: 'app', title: 'nav.inbox' }),
    page('/inbox/:conversationId', 'conversation', () => import('./views/InboxView.vue'), { layout: 'app', title: 'nav.inbox' }),
    page('/orders/:orderId?', 'orders', () => import('./views/OrdersView.vue'), { layout: 'app', title: 'nav.orders' }),
    page('/analytics', 'analytics', () => import('./views/AnalyticsView.vue'), { layout: 'app', title: 'nav.analytics' }),
    page('/catalog', 'catalog', () => import('./views/CatalogView.vue'), { layout: 'app', title: 'nav.catalog' }),
    page('/knowledge', 'knowledge', () => import('./views/KnowledgeView.vue'), { layout: 'app', title: 'nav.knowledge' }),
    page('/templates', 'templates', () => import('./views/TemplatesView.vue'), { layout: 'app', title: 'nav.templates' }),
    page('/settings/:tab?', 'settings', () => import('./views/SettingsView.vue'), { layout: 'app', title: 'nav.settings' }),
    page('/billing', 'billing', () => import('./views/BillingView.vue'), { layout: 'app', minRole: 'owner', title: 'nav.billing' }),
    page('/:pathMatch(.*)*', 'not-found', () => import('./views/NotFoundView.vue'), { layout: 'app', title: 'notFound.title' }),
  ],
});

/** Pages opened from a link in an email, which work whether or not someone is signed in on this device. */
const linkPages = new Set(['accept-invite', 'reset-password', 'verify-email']);

function safeRedirect(to: RouteLocationNormalized): string | null {
  const r = to.query.redirect;
  return typeof r === 'string' && r.startsWith('/') && !r.startsWith('//') ? r : null;
}

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  if (!auth.restored) await auth.restore();
  if (to.meta.public) {
    // A signed-in user opening the sign-in page goes to the app; links from emails stay reachable.
    if (auth.isAuthenticated && !linkPages.has(String(to.name))) return safeRedirect(to) ?? '/inbox';
    return true;
  }
  if (!auth.isAuthenticated) return { path: '/login', query: to.fullPath !== '/inbox' && to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.meta.minRole && !auth.can(to.meta.minRole)) return '/inbox';
  return true;
});
