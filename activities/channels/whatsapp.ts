import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { channelById, whatsAppRecipient, type MerchantChannel } from '../../db/queries/channels';
import { outboundByKey, recordFailedOutbound, recordOutbound } from '../../db/queries/messages';
import { renderTemplate, templateFor } from '../../db/queries/templates';
import {
  NonRetryableSendError,
  TemplateRequiredError,
  type Channel,
  type OutboundContent,
  type OutboundMessage,
  type WhatsAppProviderClient,
} from '../../integrations/channels/channel';

export interface WhatsAppChannelDeps {
  db: Db;
  box: SecretBox;
  /** Builds the wire client for a merchant's connected number (Twilio or Meta). */
  clientFor(channel: MerchantChannel): WhatsAppProviderClient;
}

/**
 * WhatsApp through whichever provider the lead's number is connected with.
 * Sends once per idempotency key: a key already recorded returns the recorded
 * message. Neither Twilio nor Meta accepts an idempotency key, so the only
 * window for a duplicate is a crash between the provider's answer and our
 * commit, a few milliseconds; every other retry is harmless.
 */
export function createWhatsAppChannel(deps: WhatsAppChannelDeps): Channel {
  const { db, box } = deps;

  const recordFailure = (msg: OutboundMessage, reason: string) =>
    recordFailedOutbound(db, msg, { idempotencyKey: msg.idempotencyKey, sender: msg.sender, text: msg.text, author: msg.author, intent: msg.intent, objection: msg.objection }, reason);

  return {
    name: 'whatsapp',
    async send(msg) {
      const existing = await outboundByKey(db, msg.idempotencyKey);
      if (existing?.status === 'failed') throw new NonRetryableSendError('this message already failed', 'failed');
      if (existing) return { messageId: existing.id, providerMessageId: existing.providerMessageId ?? existing.id, duplicate: true };

      const recipient = await whatsAppRecipient(db, box, msg.conversationId);
      const channel = recipient ? await channelById(db, box, recipient.channelId) : null;
      if (!recipient || !channel) throw new NonRetryableSendError('this conversation has no connected WhatsApp number', 'no_recipient');
      const client = deps.clientFor(channel);

      const viaTemplate = async (): Promise<{ content: OutboundContent; text: string }> => {
        const fallback = msg.templateFallback;
        const template = fallback
          ? await templateFor(db, { merchantId: msg.merchantId, provider: channel.provider, purpose: fallback.purpose, language: fallback.language })
          : null;
        if (!fallback || !template) {
          const reason = `the 24-hour window is closed and no approved ${fallback?.purpose ?? ''} template exists`.replace('  ', ' ');
          await recordFailure(msg, reason);
          throw new NonRetryableSendError(reason, 'window_closed');
        }
        const variables = Array.from({ length: template.variableCount }, (_, i) => fallback.variables[i] ?? '');
        return {
          content: { kind: 'template', template: { name: template.name, language: template.language, providerId: template.providerId, variables } },
          text: renderTemplate(template.body, variables),
        };
      };

      let outgoing = msg.windowOpen === false ? await viaTemplate() : { content: msg.content ?? { kind: 'text' as const, text: msg.text }, text: msg.text };
      let providerMessageId: string;
      try {
        ({ providerMessageId } = await client.send({ to: recipient.phone, content: outgoing.content }));
      } catch (err) {
        if (err instanceof TemplateRequiredError && outgoing.content.kind !== 'template') {
          // Our clock said open, the provider says closed: the provider decides.
          outgoing = await viaTemplate();
          ({ providerMessageId } = await client.send({ to: recipient.phone, content: outgoing.content }).catch(async (again: unknown) => {
            if (again instanceof NonRetryableSendError) await recordFailure(msg, again.message);
            throw again;
          }));
        } else {
          if (err instanceof NonRetryableSendError) await recordFailure(msg, err.message);
          throw err;
        }
      }
      const { id, duplicate } = await recordOutbound(db, msg, {
        idempotencyKey: msg.idempotencyKey,
        sender: msg.sender,
        text: outgoing.text,
        author: msg.author,
        intent: msg.intent,
        objection: msg.objection,
        confidence: msg.confidence,
        usage: msg.usage,
        status: 'sent',
        providerMessageId,
      });
      return { messageId: id, providerMessageId, duplicate };
    },
  };
}
