import type { Playbook } from '../domain/playbook';
import { subscribeConversationEvents } from './events';
import type { Db } from './knex';
import { getPlaybook } from './queries/merchants';

export interface PlaybookCache {
  get(merchantId: string): Promise<Playbook>;
  close(): Promise<void>;
}

/**
 * Each merchant's playbook, read once and kept until Postgres NOTIFY says it
 * changed, so a turn does not re-read and re-validate it. Until the listener
 * is in place (and after it drops, when a change may have gone unheard)
 * nothing is kept and every read goes to the database.
 */
export function createPlaybookCache(db: Db, databaseUrl: string, onError: (err: unknown) => void = () => {}): PlaybookCache {
  const cached = new Map<string, Promise<Playbook>>();
  let listening = false;
  const subscription = subscribeConversationEvents(
    databaseUrl,
    (event) => {
      if (event.kind === 'playbook') cached.delete(event.merchantId);
    },
    (err) => {
      listening = false;
      cached.clear();
      onError(err);
    },
    () => {
      cached.clear();
      listening = true;
    },
  );
  return {
    get(merchantId) {
      if (!listening) return getPlaybook(db, merchantId);
      let playbook = cached.get(merchantId);
      if (!playbook) {
        playbook = getPlaybook(db, merchantId);
        cached.set(merchantId, playbook);
        // A failed read is not kept: the next turn tries again.
        playbook.catch(() => cached.get(merchantId) === playbook && cached.delete(merchantId));
      }
      return playbook;
    },
    close: () => subscription.close(),
  };
}
