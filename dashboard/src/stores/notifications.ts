import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '../api';
import type { Notification } from '../types';

export const isRead = (n: Notification) => !!n.readAt || n.read === true;

export const useNotificationsStore = defineStore('notifications', () => {
  const items = ref<Notification[]>([]);
  const loading = ref(false);
  const error = ref<unknown>(null);
  const unread = computed(() => items.value.filter((n) => !isRead(n)).length);

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      const res = await api.get<{ items?: Notification[]; notifications?: Notification[] } | Notification[]>('/notifications');
      items.value = Array.isArray(res) ? res : (res.items ?? res.notifications ?? []);
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function markRead(id: string | number): Promise<void> {
    const n = items.value.find((x) => x.id === id);
    if (!n || isRead(n)) return;
    n.readAt = new Date().toISOString();
    try {
      await api.post(`/notifications/${encodeURIComponent(String(id))}/read`, {});
    } catch (err) {
      n.readAt = null;
      throw err;
    }
  }

  return { items, loading, error, unread, load, markRead };
});
