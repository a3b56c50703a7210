import type { Session } from '@client/api/http';
import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, nextTick, type App } from 'vue';
import type { Playbook } from '../../api/settings';
import { i18n } from '../../i18n';
import { useAuthStore } from '../../stores/auth';
import { freshStores, type FakeApi } from '../../testing/stores';
import PlaybookTab from './PlaybookTab.vue';

const session: Session = {
  accessToken: 'access-1',
  accessTokenExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  refreshToken: 'refresh-1',
  user: { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'admin', locale: 'en', emailVerified: true },
  merchant: { id: 'm1', name: 'Acme' },
};

const text = (en: string) => ({ en, tr: en });
/** A playbook as the API returns it, with the setting at its default. */
const playbook = (): Playbook =>
  ({
    businessName: 'Acme Outdoor',
    tone: 'friendly',
    languages: ['en', 'tr'],
    defaultLanguage: 'en',
    otherLanguages: 'reply_in_default',
    greeting: text('Hi!'),
    qualificationQuestions: { need: text('Need?'), budget: text('Budget?'), timeline: text('When?'), decisionMaker: text('Who?') },
    objectionAnswers: { price: text('Price.'), trust: text('Trust.'), timing: text('Timing.'), competitor: text('Competitor.') },
    maxDiscountPercent: 0,
    followUpDelaysSeconds: [86_400],
    followUp: text('Hi again!'),
    handOff: { minConfidence: 0.35, maxObjections: 3, highValueMinor: null },
  }) as Playbook;

const settle = async () => {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await nextTick();
  }
};

describe('Settings → Playbook: other languages', () => {
  let api: FakeApi;
  let app: App | null = null;
  let root: HTMLElement;
  let stored: Playbook;

  beforeEach(async () => {
    i18n.global.locale.value = 'en';
    api = freshStores();
    stored = playbook();
    api.on('post', '/api/v1/auth/login', () => ({ body: session }));
    api.on('get', '/api/v1/playbook', () => ({ body: stored }));
    api.on('put', '/api/v1/playbook', (call) => {
      stored = JSON.parse(call.body) as Playbook;
      return { body: stored };
    });
    await useAuthStore().login('ada@example.com', 'pw');
    root = document.createElement('div');
    document.body.append(root);
    app = createApp(PlaybookTab);
    app.use(getActivePinia()!);
    app.use(i18n);
    app.mount(root);
    await settle();
  });

  afterEach(() => {
    app?.unmount();
    app = null;
    root.remove();
  });

  it('sits next to the languages and saves the choice', async () => {
    const select = root.querySelector<HTMLSelectElement>('[data-testid="playbook-other-languages"]')!;
    expect(select).not.toBeNull();
    expect(select.value).toBe('reply_in_default');
    expect([...select.options].map((o) => o.textContent?.trim())).toEqual(['Reply in the default language, saying which languages I speak', 'Hand the conversation to a person']);
    const labels = [...root.querySelectorAll('label, legend')].map((l) => l.textContent?.trim());
    expect(labels.indexOf('Other languages')).toBe(labels.indexOf('Default language') + 1);

    select.value = 'hand_off';
    select.dispatchEvent(new Event('change'));
    root.querySelector<HTMLButtonElement>('[data-testid="playbook-save-top"]')!.click();
    await settle();
    expect(api.callsTo('PUT', '/api/v1/playbook')).toHaveLength(1);
    expect(stored.otherLanguages).toBe('hand_off');
  });
});
