import { after, afterEach, before, beforeEach } from 'node:test';
import type { PushKind, PushNotification, PushSender } from '../../integrations/push/sender';

/** What every push-service stand-in (APNs, FCM, Web Push) gives its tests. */
export interface PushServicePeer<Delivery> {
  deliveries: Delivery[];
  /** Answer the next sends with these statuses (e.g. 503) before behaving normally again. */
  failNext(...statuses: number[]): void;
  /** Forget what was delivered, answered and scripted, between tests. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the suite's peer once, and gives every test a fresh sender over a reset peer, closed after the test.
 * `start` and `sender` usually assign the suite's own variables as well as returning.
 */
export function senderPerTest(hooks: { start: () => Promise<PushServicePeer<unknown>>; sender: () => PushSender }): void {
  let peer: PushServicePeer<unknown> | undefined;
  let sender: PushSender | undefined;
  before(async () => {
    peer = await hooks.start();
  });
  after(() => peer?.close());
  beforeEach(() => {
    peer?.reset();
    sender = hooks.sender();
  });
  afterEach(() => sender?.close?.());
}

/** A notification about one conversation, collapsed on the device with the others about it. */
export function conversationNotification(conversationId: string, kind: PushKind, text: { title: string; body: string }): PushNotification {
  return { ...text, data: { conversationId, kind }, collapseKey: `conv-${conversationId}` };
}
