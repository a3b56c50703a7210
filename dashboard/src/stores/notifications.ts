import { defineStore } from 'pinia';
import { computed, shallowRef, toRef } from 'vue';
import { listNotifications, markNotificationRead, type Notification } from '../api/notifications';
import { useRequest } from '../composables/useRequest';

export const isRead = (n: Notification) => !!n.readAt;

export const useNotificationsStore = defineStore('notifications', () => {
  // Shallow: a notification's body is free-form JSON; rows are replaced, never changed in place.
  const items = shallowRef<Notification[]>([]);
  const unread = computed(() => items.value.filter((n) => !isRead(n)).length);

  const list = useRequest(async () => {
    items.value = (await listNotifications()).items;
  });

  /** Marked at once so the badge drops on click; put back if the server refuses. */
  async function markRead(id: number): Promise<void> {
    const n = items.value.find((x) => x.id === id);
    if (!n || isRead(n)) return;
    const setReadAt = (readAt: string | null) => (items.value = items.value.map((x) => (x.id === id ? { ...x, readAt } : x)));
    setReadAt(new Date().toISOString());
    try {
      await markNotificationRead(id);
    } catch (err) {
      setReadAt(null);
      throw err;
    }
  }

  return { items, loading: toRef(list, 'busy'), error: toRef(list, 'error'), unread, load: list.run, markRead };
});
