import { ActivityFailure, log } from '@temporalio/workflow';
import { deliveries, store } from './activities';
import type { DeliverNotificationInput } from './contract';

/**
 * One notification's way to members' phones and inboxes. The activity works
 * through the notification's delivery rows and marks each as it goes, so a
 * retry sends only what is still pending; when it runs out of time, what is
 * left is marked failed so nothing stays pending for ever.
 */
export async function deliverNotification(input: DeliverNotificationInput): Promise<void> {
  try {
    await deliveries.sendNotificationDeliveries(input.notificationId);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('notification not delivered to everyone', { notificationId: input.notificationId, error: err.cause?.message });
    await store.abandonNotificationDeliveries({ notificationId: input.notificationId, reason: err.cause?.message ?? err.message });
  }
}
