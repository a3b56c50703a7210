import { Network } from '@capacitor/network';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { isNative } from '../platform';

/** Whether the phone has a network, from the platform's own signal (the browser's online/offline events, or Capacitor's Network plugin). */
export const useNetworkStore = defineStore('network', () => {
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine);
  const listeners = new Set<() => void>();

  function set(next: boolean): void {
    const cameBack = next && !online.value;
    online.value = next;
    if (cameBack) for (const listener of listeners) listener();
  }

  window.addEventListener('online', () => set(true));
  window.addEventListener('offline', () => set(false));
  if (isNative) {
    void Network.getStatus().then((s) => set(s.connected));
    void Network.addListener('networkStatusChange', (s) => set(s.connected));
  }

  /** Called each time the network comes back; returns the unsubscribe. */
  function onBack(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return { online, onBack };
});

/** A request that never reached the server (no network, DNS, a dropped connection), as opposed to an answer. */
export function isNetworkFailure(err: unknown): boolean {
  return err instanceof TypeError;
}
