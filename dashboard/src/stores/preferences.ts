import { defineStore } from 'pinia';
import { computed, ref, toRef } from 'vue';
import { getNotificationPreferences, saveNotificationPreferences, type NotificationPreferences } from '../api/push';
import { useRequest } from '../composables/useRequest';

/** The events a member can have pushed to their devices, in the order the settings list them. */
export const PUSH_EVENTS = [
  'needs_human',
  'customer_message',
  'payment_received',
  'payment_failed',
  'new_lead',
] as const satisfies readonly (keyof NotificationPreferences['push'])[];

const copy = (p: NotificationPreferences): NotificationPreferences => ({ push: { ...p.push }, email: { ...p.email } });
const same = (a: NotificationPreferences, b: NotificationPreferences) => PUSH_EVENTS.every((e) => a.push[e] === b.push[e]) && a.email.needs_human === b.email.needs_human;

/** The signed-in member's notification preferences: what the server has, and the edits not saved yet. */
export const usePreferencesStore = defineStore('preferences', () => {
  const saved = ref<NotificationPreferences | null>(null);
  /** Bound to the form; saved as a whole, as the API takes it. */
  const draft = ref<NotificationPreferences | null>(null);
  const dirty = computed(() => !!saved.value && !!draft.value && !same(saved.value, draft.value));

  function apply(p: NotificationPreferences): void {
    saved.value = copy(p);
    draft.value = copy(p);
  }

  const load = useRequest(async () => apply(await getNotificationPreferences()));
  const save = useRequest(async () => {
    if (!draft.value) return;
    apply(await saveNotificationPreferences(copy(draft.value)));
  });

  const reset = () => saved.value && (draft.value = copy(saved.value));

  return {
    saved,
    draft,
    dirty,
    load: load.run,
    loading: toRef(load, 'busy'),
    loadError: toRef(load, 'error'),
    save: save.run,
    saving: toRef(save, 'busy'),
    saveError: toRef(save, 'error'),
    justSaved: toRef(save, 'done'),
    reset,
  };
});
