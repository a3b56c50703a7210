import express, { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { SecretBox } from '../../config/secrets';
import type { Db } from '../../db/knex';
import { channelByAddress, rememberWhatsAppCustomer, type MerchantChannel } from '../../db/queries/channels';
import { applyDeliveryStatus } from '../../db/queries/messages';
import { metrics } from '../../observability/metrics';
import type { WhatsAppInboundEvent } from '../../integrations/channels/channel';
import { deliveryFailedSignal, leadWorkflowId } from '../../workflows/contract';
import { HttpError, notFound } from '../errors';
import { deliverInbound } from '../inbound';
import type { RouteDoc } from '../merchant/route';
import { z } from 'zod';
import { parseMetaWebhook, verifyMetaChallenge, verifyMetaSignature } from '../webhooks/meta';
import { parseTwilioInbound, parseTwilioStatus, twilioPublicUrl, verifyTwilioSignature } from '../webhooks/twilio';

export interface WhatsAppWebhookDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  box: SecretBox;
  publicBaseUrl?: string;
  meta: { appSecret?: string; verifyToken?: string };
  log: Logger;
}

/** What a customer sent, as the transcript shows it: text, or a caption/placeholder for media and locations. */
function transcriptText(e: Extract<WhatsAppInboundEvent, { type: 'message' }>): string {
  const parts = [e.text.trim()];
  for (const m of e.media ?? []) parts.push(m.caption?.trim() ? '' : `[${(m.mimeType ?? 'media').split('/')[0]}${m.filename ? `: ${m.filename}` : ''}]`);
  if (e.location) parts.push(`[location ${e.location.latitude},${e.location.longitude}${e.location.name ? ` ${e.location.name}` : ''}]`);
  return parts.filter(Boolean).join(' ').slice(0, 4000) || '[empty message]';
}

const TwilioForm = z.object({ MessageSid: z.string(), From: z.string(), To: z.string(), Body: z.string().optional() }).describe("Twilio's form fields (more than these), signed as they are");

/** How these routes appear in the OpenAPI document (raw or form bodies, verified before parsing, so mounted by hand below). */
export const whatsAppWebhookDocs: RouteDoc[] = [
  {
    method: 'post', path: '/webhooks/twilio/whatsapp', tag: 'webhooks', access: 'public', operationId: 'twilioInbound',
    summary: 'A WhatsApp message through Twilio, verified with the receiving number\'s auth token',
    headers: { 'x-twilio-signature': { description: 'Twilio', required: true } },
    contentType: 'application/x-www-form-urlencoded', contentSchema: TwilioForm,
    responses: { 200: { file: 'text/xml', description: 'Empty TwiML: the reply comes later' }, 403: 'Missing or invalid signature', 404: 'No merchant has connected the number' },
  },
  {
    method: 'post', path: '/webhooks/twilio/status', tag: 'webhooks', access: 'public', operationId: 'twilioStatus',
    summary: 'Delivery status of a message we sent through Twilio',
    headers: { 'x-twilio-signature': { description: 'Twilio', required: true } },
    contentType: 'application/x-www-form-urlencoded', contentSchema: TwilioForm,
    responses: { 204: null, 403: 'Missing or invalid signature', 404: 'No merchant has connected the number' },
  },
  {
    method: 'get', path: '/webhooks/meta/whatsapp', tag: 'webhooks', access: 'public', operationId: 'metaVerify',
    summary: "Meta's subscription check: answers hub.challenge when hub.verify_token matches",
    query: z.object({ 'hub.mode': z.string().optional(), 'hub.verify_token': z.string().optional(), 'hub.challenge': z.string().optional() }),
    responses: { 200: { file: 'text/plain', description: 'The challenge' }, 403: 'Wrong or missing verify token' },
  },
  {
    method: 'post', path: '/webhooks/meta/whatsapp', tag: 'webhooks', access: 'public', operationId: 'metaWebhook',
    summary: 'WhatsApp messages and statuses from the Meta Cloud API, verified with the app secret over the raw body',
    headers: { 'x-hub-signature-256': { description: 'sha256=<HMAC of the body>', required: true } },
    contentType: 'application/json', contentSchema: z.looseObject({}).describe("Meta's webhook payload"),
    responses: { 200: null, 403: 'Missing or invalid signature', 404: 'Meta is not configured, or no merchant has connected the number' },
  },
];

const toError400 = (err: unknown) => new HttpError(400, 'invalid_webhook', err instanceof Error ? err.message : String(err));

/**
 * WhatsApp webhooks from Twilio and Meta. Each is verified before anything is
 * stored, and acknowledged only after every message in it is durably with
 * the lead's workflow, in the order the provider sent them.
 */
export function whatsAppWebhookRoutes(deps: WhatsAppWebhookDeps): Router {
  const router = Router();
  const { db, box } = deps;

  const handle = async (channel: MerchantChannel, event: WhatsAppInboundEvent): Promise<void> => {
    if (event.type === 'status') {
      const applied = await applyDeliveryStatus(db, {
        providerMessageId: event.providerMessageId,
        status: event.status,
        at: event.at,
        reason: event.errorMessage ? `${event.errorCode ?? ''} ${event.errorMessage}`.trim() : event.errorCode,
      });
      if (applied?.changed && event.status === 'failed') {
        metrics.deliveryFailures.inc({ channel: 'whatsapp', stage: 'status' });
        await deps.temporal.workflow
          .getHandle(applied.conversationId)
          .signal(deliveryFailedSignal, {
            messageId: applied.idempotencyKey ?? applied.messageId,
            reason: event.errorMessage ?? event.errorCode ?? 'failed',
            at: event.at.toISOString(),
            // Twilio 63016 / Meta 131047: accepted, then refused because the window had closed.
            templateRequired: event.errorCode === '63016' || event.errorCode === '131047',
          })
          .catch((err: unknown) => deps.log.warn({ err }, 'delivery failure for a finished conversation'));
      }
      return;
    }
    const customerKey = box.customerKey(event.from);
    const conversationId = leadWorkflowId(channel.merchantId, 'whatsapp', customerKey);
    const key = { conversationId, merchantId: channel.merchantId, channel: 'whatsapp' as const, customerKey };
    await deliverInbound({ db, temporal: deps.temporal, taskQueue: deps.taskQueue }, key, {
      providerMessageId: event.providerMessageId,
      text: transcriptText(event),
      at: event.at,
      media: event.media ?? null,
      beforeSignal: () => rememberWhatsAppCustomer(db, box, conversationId, { channelId: channel.id, phone: event.from, name: event.profileName }),
    });
  };

  // ---- Twilio --------------------------------------------------------------

  const twilioChannel = async (req: Request): Promise<{ channel: MerchantChannel; params: Record<string, string> }> => {
    const params = (req.body ?? {}) as Record<string, string>;
    const to = typeof params.To === 'string' ? params.To.replace(/^whatsapp:/, '') : '';
    const from = typeof params.From === 'string' ? params.From.replace(/^whatsapp:/, '') : '';
    // Status callbacks come from our number; inbound messages go to it.
    const address = req.path.endsWith('/status') ? from : to;
    if (!address) throw new HttpError(400, 'invalid_webhook', 'Missing "To"/"From" field');
    const channel = await channelByAddress(db, box, 'twilio', address);
    if (!channel || channel.provider !== 'twilio') throw notFound(`WhatsApp number ${address}`);
    // Twilio signs the URL it called, which behind a proxy is the public one, not the one we see.
    if (!verifyTwilioSignature(channel.credentials.authToken, twilioPublicUrl(deps.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`, req.originalUrl), params, req.get('x-twilio-signature'))) {
      metrics.webhookSignatureFailures.inc({ provider: 'twilio' });
      throw new HttpError(403, 'invalid_signature', 'Missing or invalid X-Twilio-Signature for this number');
    }
    return { channel, params };
  };

  const form = express.urlencoded({ extended: false, limit: '64kb' });
  // Messages are answered with empty TwiML (the reply comes later, from the workflow); statuses with 204.
  const twilioRoutes = [
    { path: '/webhooks/twilio/whatsapp', parse: parseTwilioInbound, answer: (res: Response) => res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>') },
    { path: '/webhooks/twilio/status', parse: parseTwilioStatus, answer: (res: Response) => res.sendStatus(204) },
  ];
  for (const r of twilioRoutes) {
    router.post(r.path, form, async (req, res) => {
      const { channel, params } = await twilioChannel(req);
      let event: WhatsAppInboundEvent;
      try {
        event = r.parse(params);
      } catch (err) {
        throw toError400(err);
      }
      await handle(channel, event);
      r.answer(res);
    });
  }

  // ---- Meta Cloud API --------------------------------------------------------

  router.get('/webhooks/meta/whatsapp', (req, res) => {
    const challenge = deps.meta.verifyToken ? verifyMetaChallenge(req.query as Record<string, unknown>, deps.meta.verifyToken) : null;
    if (challenge === null) throw new HttpError(403, 'invalid_verify_token', 'Verification failed: wrong or missing hub.verify_token');
    res.type('text/plain').send(challenge);
  });

  router.post('/webhooks/meta/whatsapp', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!deps.meta.appSecret) throw new HttpError(404, 'not_configured', 'Meta WhatsApp is not configured (META_APP_SECRET)');
    if (!verifyMetaSignature(deps.meta.appSecret, raw, req.get('x-hub-signature-256'))) {
      metrics.webhookSignatureFailures.inc({ provider: 'meta' });
      throw new HttpError(403, 'invalid_signature', 'Missing or invalid X-Hub-Signature-256');
    }
    let events: WhatsAppInboundEvent[];
    try {
      events = parseMetaWebhook(JSON.parse(raw.toString('utf8')));
    } catch (err) {
      throw toError400(err);
    }
    const channels = new Map<string, MerchantChannel | null>();
    for (const event of events) {
      if (!channels.has(event.businessAddress)) channels.set(event.businessAddress, await channelByAddress(db, box, 'meta', event.businessAddress));
    }
    if (events.length && [...channels.values()].every((c) => c === null)) throw notFound(`WhatsApp number ${events[0]!.businessAddress}`);
    // In order, one at a time: the workflow receives them as the customer sent them.
    for (const event of events) {
      const channel = channels.get(event.businessAddress);
      if (channel) await handle(channel, event);
      else deps.log.warn({ phoneNumberId: event.businessAddress }, 'webhook for a number no merchant has connected');
    }
    res.sendStatus(200);
  });

  return router;
}
