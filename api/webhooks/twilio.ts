/**
 * Twilio's WhatsApp webhooks as pure functions: signature check, and the
 * form fields of `POST /webhooks/twilio/whatsapp` (inbound messages) and
 * `POST /webhooks/twilio/status` (delivery statuses) turned into
 * provider-neutral events. The Express routes only read the body and headers.
 *
 * Read the body with `express.urlencoded({ extended: false })`: the extended
 * parser nests keys such as `a[b]`, and the signature is over the flat fields.
 */
import twilio from 'twilio';
import { z } from 'zod';
import type { WhatsAppInboundEvent } from '../../integrations/channels/channel';
import { HttpError } from '../errors';

type InboundMessage = Extract<WhatsAppInboundEvent, { type: 'message' }>;
type StatusEvent = Extract<WhatsAppInboundEvent, { type: 'status' }>;
type InboundMedia = NonNullable<InboundMessage['media']>[number];

export type TwilioWebhookParams = Record<string, string | string[]>;

/**
 * The URL Twilio signed, rebuilt from our configured public address.
 * Behind a proxy or tunnel the Host, scheme and port the app sees are the
 * proxy's hop, not what Twilio called, so they cannot be trusted to rebuild
 * the signed URL; `PUBLIC_BASE_URL` is what Twilio was told to call.
 * `originalUrl` is the request's path and query string as received
 * (`req.originalUrl`), since Twilio signs the query string too.
 */
export function twilioPublicUrl(publicBaseUrl: string, originalUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${originalUrl.startsWith('/') ? '' : '/'}${originalUrl}`;
}

/**
 * True when `X-Twilio-Signature` matches the request. `publicUrl` is the full
 * URL Twilio called (see `twilioPublicUrl`); `params` are the POST form fields.
 */
export function verifyTwilioSignature(
  authToken: string,
  publicUrl: string,
  params: TwilioWebhookParams,
  signatureHeader: string | string[] | undefined,
): boolean {
  if (typeof signatureHeader !== 'string' || !signatureHeader || !authToken) return false;
  try {
    return twilio.validateRequest(authToken, signatureHeader, publicUrl, params);
  } catch {
    // The SDK parses the URL while trying variants of it; a URL it cannot parse was not signed.
    return false;
  }
}

const WHATSAPP_PREFIX = 'whatsapp:';

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : `expected ${what}`),
});

const whatsappNumber = z
  .string(required('a string'))
  .regex(/^whatsapp:\+[1-9]\d{6,14}$/, 'expected whatsapp:+<E.164 number>')
  .transform((address) => address.slice(WHATSAPP_PREFIX.length));

const messageSid = z.string(required('a string')).regex(/^[A-Z]{2}[0-9a-fA-F]{32}$/, 'expected a 34-character Twilio SID');

const optionalText = z.string().optional();

const coordinate = (limit: number) =>
  z
    .string()
    .regex(/^[-+]?\d+(\.\d+)?$/, 'expected a decimal number')
    .transform(Number)
    .pipe(z.number().min(-limit).max(limit))
    .optional();

const inboundSchema = z
  .object({
    MessageSid: messageSid,
    From: whatsappNumber,
    To: whatsappNumber,
    Body: optionalText,
    ProfileName: optionalText,
    NumMedia: z
      .string()
      .regex(/^\d+$/, 'expected a count')
      .transform(Number)
      .pipe(z.number().max(10))
      .optional(),
    Latitude: coordinate(90),
    Longitude: coordinate(180),
    Address: optionalText,
    Label: optionalText,
    ButtonPayload: optionalText,
    ButtonText: optionalText,
  })
  .superRefine((fields, ctx) => {
    // A location needs both halves; one alone is a malformed request.
    if ((fields.Latitude === undefined) !== (fields.Longitude === undefined)) {
      const missing = fields.Latitude === undefined ? 'Latitude' : 'Longitude';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'required with a location' });
    }
  });

const mediaSchema = (count: number) =>
  z.object(
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        [`MediaUrl${i}`, z.url({ protocol: /^https?$/, ...required('an http(s) URL') })],
        [`MediaContentType${i}`, z.string(required('a string')).regex(/^[\w.+-]+\/[\w.+-]+/, 'expected a MIME type')],
      ]).flat(),
    ) as Record<string, z.ZodType<string>>,
  );

/**
 * Twilio's outbound message states onto the neutral ones. Pre-send states
 * count as "sent": the event model has no earlier state, and the message is
 * in Twilio's hands. Extra fields Twilio adds (`SmsStatus`, `EventType`, …)
 * are ignored rather than rejected, as Twilio adds them without notice.
 */
const statusMap = {
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
  canceled: 'failed',
} as const;

type TwilioMessageStatus = keyof typeof statusMap;

const statusSchema = z.object({
  MessageSid: messageSid,
  MessageStatus: z.enum(Object.keys(statusMap) as [TwilioMessageStatus, ...TwilioMessageStatus[]], {
    error: (issue) => (issue.input === undefined ? 'required' : `unknown status ${JSON.stringify(issue.input)}`),
  }),
  From: whatsappNumber,
  To: whatsappNumber.optional(),
  ErrorCode: optionalText,
  ErrorMessage: optionalText,
});

/** Form fields arrive as strings; a repeated field keeps its last value, as Twilio never repeats these. */
function flatten(params: TwilioWebhookParams): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? (value.at(-1) ?? '') : value]),
  );
}

function parseOrThrow<T extends z.ZodType>(schema: T, params: Record<string, string>, webhook: string): z.output<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join('.') || 'body', message: issue.message }));
  throw new HttpError(
    400,
    'invalid_twilio_webhook',
    `Invalid Twilio ${webhook} webhook: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/** Twilio's media URLs end in the media SID (`…/Messages/MM…/Media/ME…`). */
const mediaSidOf = (url: string) => /\/Media\/(ME[0-9a-fA-F]{32})\/?$/.exec(url)?.[1];

/** Parses `POST /webhooks/twilio/whatsapp`; throws an HttpError 400 naming each bad field. */
export function parseTwilioInbound(params: TwilioWebhookParams): WhatsAppInboundEvent {
  const flat = flatten(params);
  const fields = parseOrThrow(inboundSchema, flat, 'inbound');
  const body = fields.Body ?? '';
  const event: InboundMessage = {
    type: 'message',
    provider: 'twilio',
    businessAddress: fields.To,
    from: fields.From,
    providerMessageId: fields.MessageSid,
    // Twilio sends no timestamp: the message is as old as the webhook call.
    at: new Date(),
    // A quick-reply tap carries the button's title in Body; ButtonText is the same title on its own.
    text: body || fields.ButtonText || '',
  };
  if (fields.ProfileName) event.profileName = fields.ProfileName;

  const count = fields.NumMedia ?? 0;
  if (count > 0) {
    const media = parseOrThrow(mediaSchema(count), flat, 'inbound');
    event.media = Array.from({ length: count }, (_, i) => {
      const url = media[`MediaUrl${i}`] as string;
      const item: InboundMedia = { url, mimeType: media[`MediaContentType${i}`] as string };
      const mediaSid = mediaSidOf(url);
      if (mediaSid) item.providerMediaId = mediaSid;
      // WhatsApp carries one attachment per message; Body is its caption.
      if (i === 0 && body) item.caption = body;
      return item;
    });
  }

  if (fields.Latitude !== undefined && fields.Longitude !== undefined) {
    event.location = { latitude: fields.Latitude, longitude: fields.Longitude };
    if (fields.Label) event.location.name = fields.Label;
    if (fields.Address) event.location.address = fields.Address;
  }
  if (fields.ButtonPayload) event.replyId = fields.ButtonPayload;
  return event;
}

/** Parses `POST /webhooks/twilio/status`; throws an HttpError 400 naming each bad field. */
export function parseTwilioStatus(params: TwilioWebhookParams): WhatsAppInboundEvent {
  const fields = parseOrThrow(statusSchema, flatten(params), 'status');
  const event: StatusEvent = {
    type: 'status',
    provider: 'twilio',
    // On an outbound message's callback, From is the business sender.
    businessAddress: fields.From,
    providerMessageId: fields.MessageSid,
    status: statusMap[fields.MessageStatus],
    at: new Date(),
  };
  if (fields.ErrorCode) event.errorCode = fields.ErrorCode;
  if (fields.ErrorMessage) event.errorMessage = fields.ErrorMessage;
  return event;
}
