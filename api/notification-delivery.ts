import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import { pendingDeliveryCount } from '../db/queries/notification-deliveries';
import { notifyMerchant, type MerchantNotification } from '../db/queries/notifications';
import { deliverNotificationStart, deliverNotificationWorkflowType } from '../workflows/contract';

export interface NotificationDeliveryDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * Stores a notification and starts its delivery workflow when anyone is to
 * get it. A webhook redelivered after a crash between the two finds the same
 * notification by its key and starts the same workflow id, which is then a
 * no-op if the first start got through.
 */
export async function notifyAndDeliver(deps: NotificationDeliveryDeps, n: MerchantNotification): Promise<number> {
  const id = await notifyMerchant(deps.db, n);
  await startNotificationDelivery(deps, id);
  return id;
}

/** Starts the delivery of a stored notification, unless nobody is to get it. */
export async function startNotificationDelivery(deps: NotificationDeliveryDeps, notificationId: number): Promise<void> {
  if ((await pendingDeliveryCount(deps.db, notificationId)) === 0) return;
  try {
    await deps.temporal.workflow.start(deliverNotificationWorkflowType, deliverNotificationStart(notificationId, deps.taskQueue));
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
