import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/knex';
import { deleteDevice } from '../db/queries/devices';
import {
  abandonPendingDeliveries,
  notificationContext,
  pendingDeliveries,
  pendingDeliveryCount,
  recordDeliveryAttempt,
  type NotificationContext,
  type PendingDelivery,
} from '../db/queries/notification-deliveries';
import { notifyMerchant, type MerchantNotification } from '../db/queries/notifications';
import { pushEventFor } from '../domain/notifications';
import { EmailSendError } from '../integrations/email/mailer';
import { needsHumanEmail } from '../integrations/email/messages';
import { handOffReason, languageOf, pushText } from '../integrations/push/messages';
import { PushError, type PushNotification } from '../integrations/push/sender';
import { deliverNotificationStart, deliverNotificationWorkflowType } from '../workflows/contract';
import type { ActivityDeps } from './deps';

/**
 * Stores a notification from inside an activity and starts its delivery on
 * the worker's own client and task queue. A retried activity finds the same
 * notification (its dedupe key) and starts the same workflow id, which is a
 * no-op when that delivery already runs or ran.
 */
export async function notifyAndDeliver(db: Db, n: MerchantNotification): Promise<number> {
  const id = await notifyMerchant(db, n);
  if ((await pendingDeliveryCount(db, id)) > 0) {
    const ctx = Context.current();
    try {
      await ctx.client.workflow.start(deliverNotificationWorkflowType, deliverNotificationStart(id, ctx.info.taskQueue));
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return id;
}

type Outcome = { status: 'sent' | 'dead' | 'failed'; error?: string; deviceGone?: boolean } | { retry: string; retryAfterMs?: number };

/** Sends a notification's pending deliveries, each recorded as soon as its answer is in. */
export function notifyActivities(deps: ActivityDeps) {
  const { db } = deps;
  const senders = deps.push ?? {};
  const mailer = deps.mailer ?? null;
  const base = deps.publicBaseUrl.replace(/\/$/, '');

  /**
   * The collapse id comes from the notification, so a send repeated after a
   * crash between the provider's answer and our commit replaces the first
   * on the device instead of showing a second one.
   */
  function pushFor(ctx: NotificationContext, d: PendingDelivery): PushNotification | null {
    const event = pushEventFor(ctx.kind, ctx.body);
    if (!event) return null;
    const text = pushText(languageOf(d.member.locale), event, { customerName: ctx.customerName, body: ctx.body });
    return { ...text, data: { conversationId: ctx.conversationId ?? '', kind: event }, collapseKey: `notification-${ctx.id}` };
  }

  async function sendPush(ctx: NotificationContext, d: PendingDelivery): Promise<Outcome> {
    if (!d.device) return { status: 'dead', error: 'the device was removed' };
    const sender = senders[d.device.platform];
    if (!sender) return { status: 'failed', error: `push to ${d.device.platform} is not configured` };
    const notification = pushFor(ctx, d);
    if (!notification) return { status: 'failed', error: `${ctx.kind} notifications are not pushed` };
    try {
      const result = await sender.send({ platform: d.device.platform, token: d.device.token }, notification);
      if ('dead' in result) return { status: 'dead', error: result.reason, deviceGone: true };
      return { status: 'sent' };
    } catch (err) {
      if (err instanceof PushError && !err.retryable) return { status: 'failed', error: err.message };
      return { retry: (err as Error).message, ...(err instanceof PushError && err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
    }
  }

  async function sendEmail(ctx: NotificationContext, d: PendingDelivery): Promise<Outcome> {
    if (!mailer) return { status: 'failed', error: 'email is not configured (SMTP_URL)' };
    const language = languageOf(d.member.locale);
    const reason = (ctx.body as { reason?: unknown } | null)?.reason;
    const content = needsHumanEmail(language, {
      merchantName: ctx.merchantName,
      customerName: ctx.customerName ?? (language === 'tr' ? 'Bir müşteri' : 'A customer'),
      reason: typeof reason === 'string' ? handOffReason(reason) : 'asked_for_person',
      conversationUrl: `${base}/app/inbox/${encodeURIComponent(ctx.conversationId ?? '')}`,
      preferencesUrl: `${base}/app/settings/notifications`,
    });
    try {
      // A resend after a crash carries the same reference, which mail clients use to thread or drop the copy.
      await mailer.send({ to: d.member.email, ...content, headers: { 'X-Entity-Ref-ID': `notification-${ctx.id}-${d.userId}` } });
      return { status: 'sent' };
    } catch (err) {
      if (err instanceof EmailSendError && !err.retryable) return { status: 'failed', error: err.message };
      return { retry: (err as Error).message };
    }
  }

  return {
    /**
     * One attempt over everything still pending. Each delivery is marked the
     * moment its answer arrives; one a provider asked to retry stays pending
     * and the attempt fails at the end (retryable), so the next attempt sends
     * only those. A token the provider calls dead is removed with its device.
     */
    async sendNotificationDeliveries(notificationId: number): Promise<{ sent: number; dead: number; failed: number }> {
      const ctx = await notificationContext(db, notificationId);
      if (!ctx) return { sent: 0, dead: 0, failed: 0 };
      const pending = await pendingDeliveries(db, notificationId);
      const counts = { sent: 0, dead: 0, failed: 0 };
      const retries: { error: string; retryAfterMs?: number }[] = [];
      // Settled rather than all: a failure to record one must not cut the others off mid-send.
      const settled = await Promise.allSettled(
        pending.map(async (d) => {
          const outcome = d.channel === 'push' ? await sendPush(ctx, d) : await sendEmail(ctx, d);
          if ('retry' in outcome) {
            retries.push({ error: outcome.retry, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) });
            await recordDeliveryAttempt(db, d.id, { status: 'pending', error: outcome.retry });
            return;
          }
          await recordDeliveryAttempt(db, d.id, outcome);
          if (outcome.deviceGone && d.device) await deleteDevice(db, d.device.id);
          counts[outcome.status]++;
        }),
      );
      const broken = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (broken) throw broken.reason;
      if (retries.length) {
        const wait = Math.max(0, ...retries.map((r) => r.retryAfterMs ?? 0));
        throw ApplicationFailure.create({
          message: `${retries.length} of ${pending.length} deliveries will be retried: ${retries.map((r) => r.error).join('; ')}`,
          type: 'DeliveryRetry',
          // A provider's Retry-After is the earliest a retry can help.
          ...(wait > 0 ? { nextRetryDelay: wait } : {}),
        });
      }
      return counts;
    },

    async abandonNotificationDeliveries(a: { notificationId: number; reason: string }): Promise<number> {
      return abandonPendingDeliveries(db, a.notificationId, `gave up: ${a.reason}`.slice(0, 2000));
    },
  };
}
