/**
 * Meta WhatsApp Cloud API webhooks without the HTTP framework: the
 * subscription handshake, the payload signature and the payload itself,
 * turned into provider-neutral inbound events.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { WhatsAppInboundEvent } from '../../integrations/channels/channel';

type MessageEvent = Extract<WhatsAppInboundEvent, { type: 'message' }>;
type StatusEvent = Extract<WhatsAppInboundEvent, { type: 'status' }>;
type Media = NonNullable<MessageEvent['media']>[number];

/** Thrown for a payload that is not the documented shape; `path` points at the first bad field. */
export class MetaWebhookPayloadError extends Error {
  override name = 'MetaWebhookPayloadError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`invalid Meta webhook payload at ${path}: ${detail}`);
  }
}

/** Compares through fixed-length digests so neither the content nor the length leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The GET handshake Meta makes when a webhook is subscribed: echo
 * `hub.challenge` back only for our own verify token.
 */
export function verifyMetaChallenge(query: Record<string, unknown>, expectedVerifyToken: string): string | null {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') return null;
  if (!expectedVerifyToken || !sameSecret(token, expectedVerifyToken)) return null;
  return challenge;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Checks `X-Hub-Signature-256`: HMAC-SHA256 of the raw request body keyed with the app secret. */
export function verifyMetaSignature(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!appSecret || !header) return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(given, expected);
}

const timestamp = z.union([z.string().regex(/^\d+$/, 'expected unix seconds'), z.number().int().nonnegative()]).transform(Number);

const mediaFields = {
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  // Newer API versions include a download URL in the webhook itself.
  url: z.string().optional(),
};

const messageBase = z.object({
  from: z.string().regex(/^\d{6,15}$/, 'expected the sender number as digits'),
  id: z.string().min(1),
  timestamp,
  type: z.string().min(1),
});

/** The content object of each message type we read; other types only need `messageBase`. */
const messageContent = {
  text: z.object({ text: z.object({ body: z.string() }) }),
  image: z.object({ image: z.object(mediaFields) }),
  video: z.object({ video: z.object(mediaFields) }),
  audio: z.object({ audio: z.object({ ...mediaFields, voice: z.boolean().optional() }) }),
  sticker: z.object({ sticker: z.object({ ...mediaFields, animated: z.boolean().optional() }) }),
  document: z.object({ document: z.object({ ...mediaFields, filename: z.string().optional() }) }),
  location: z.object({
    location: z.object({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  // Flow replies (`nfm_reply`) and future kinds are kept as unsupported rather than rejected.
  interactive: z.object({ interactive: z.looseObject({ type: z.string() }) }),
  button_reply: z.object({ interactive: z.object({ button_reply: z.object({ id: z.string(), title: z.string() }) }) }),
  list_reply: z.object({
    interactive: z.object({ list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }) }),
  }),
  button: z.object({ button: z.object({ text: z.string(), payload: z.string().optional() }) }),
};

const unsupportedKind = z.object({ unsupported: z.object({ type: z.string().min(1) }) });

const statusSchema = z.object({
  id: z.string().min(1),
  // Kept open: Meta has sent other values (`deleted`, `warning`) that carry nothing for us.
  status: z.string().min(1),
  timestamp,
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.object({
        code: z.number(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

const messagesValue = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) }),
  contacts: z.array(z.object({ profile: z.object({ name: z.string() }).optional(), wa_id: z.string().optional() })).optional(),
  messages: z.array(z.looseObject({})).optional(),
  statuses: z.array(z.looseObject({})).optional(),
});

const envelope = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.looseObject({}) })),
    }),
  ),
});

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/** Parses `input` or throws an error naming `prefix` plus the first bad field below it. */
function parseAt<Schema extends z.ZodType>(schema: Schema, input: unknown, prefix: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const inner = pathText(issue.path);
  const path = inner ? (prefix ? (inner.startsWith('[') ? prefix + inner : `${prefix}.${inner}`) : inner) : prefix || '(root)';
  throw new MetaWebhookPayloadError(path, issue.message);
}

const STATUSES = new Set<StatusEvent['status']>(['sent', 'delivered', 'read', 'failed']);

function toStatus(raw: unknown, path: string, businessAddress: string): StatusEvent | null {
  const status = parseAt(statusSchema, raw, path);
  if (!STATUSES.has(status.status as StatusEvent['status'])) return null;
  const event: StatusEvent = {
    type: 'status',
    provider: 'meta',
    businessAddress,
    providerMessageId: status.id,
    status: status.status as StatusEvent['status'],
    at: new Date(status.timestamp * 1000),
  };
  const error = status.errors?.[0];
  if (error) {
    event.errorCode = String(error.code);
    const message = error.error_data?.details ?? error.message ?? error.title;
    if (message) event.errorMessage = message;
  }
  return event;
}

function mediaOf(object: { id: string; mime_type?: string; caption?: string; url?: string; filename?: string }): Media {
  const media: Media = { providerMediaId: object.id };
  if (object.mime_type) media.mimeType = object.mime_type;
  if (object.caption) media.caption = object.caption;
  if (object.filename) media.filename = object.filename;
  if (object.url) media.url = object.url;
  return media;
}

function mediaMessage(object: Parameters<typeof mediaOf>[0]) {
  return { text: object.caption ?? '', media: [mediaOf(object)] };
}

/** The text, media, location and reply id of one message, by type. */
function contentOf(raw: unknown, type: string, path: string): Pick<MessageEvent, 'text' | 'media' | 'location' | 'replyId'> {
  switch (type) {
    case 'text':
      return { text: parseAt(messageContent.text, raw, path).text.body };
    case 'image':
      return mediaMessage(parseAt(messageContent.image, raw, path).image);
    case 'video':
      return mediaMessage(parseAt(messageContent.video, raw, path).video);
    case 'audio':
      return mediaMessage(parseAt(messageContent.audio, raw, path).audio);
    case 'sticker':
      return mediaMessage(parseAt(messageContent.sticker, raw, path).sticker);
    case 'document':
      return mediaMessage(parseAt(messageContent.document, raw, path).document);
    case 'location': {
      const { location } = parseAt(messageContent.location, raw, path);
      const { latitude, longitude, name, address } = location;
      return { text: '', location: { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } };
    }
    case 'interactive': {
      const kind = parseAt(messageContent.interactive, raw, path).interactive.type;
      if (kind === 'button_reply' || kind === 'list_reply') {
        const parsed = parseAt(messageContent[kind], raw, path).interactive;
        const reply = 'button_reply' in parsed ? parsed.button_reply : parsed.list_reply;
        return { text: reply.title, replyId: reply.id };
      }
      return { text: `[unsupported message type: interactive/${kind}]` };
    }
    case 'button': {
      const { button } = parseAt(messageContent.button, raw, path);
      return { text: button.text, ...(button.payload ? { replyId: button.payload } : {}) };
    }
    default: {
      // Meta's own `unsupported` type may say what the customer actually sent (e.g. an edit).
      const actual = type === 'unsupported' ? unsupportedKind.safeParse(raw).data?.unsupported.type : undefined;
      return { text: `[unsupported message type: ${actual ?? type}]` };
    }
  }
}

function toMessage(raw: unknown, path: string, businessAddress: string, names: Map<string, string>, onlyName?: string): MessageEvent {
  const base = parseAt(messageBase, raw, path);
  const event: MessageEvent = {
    type: 'message',
    provider: 'meta',
    businessAddress,
    from: `+${base.from}`,
    providerMessageId: base.id,
    at: new Date(base.timestamp * 1000),
    ...contentOf(raw, base.type, path),
  };
  const profileName = names.get(base.from) ?? onlyName;
  if (profileName) event.profileName = profileName;
  return event;
}

/**
 * Turns a `whatsapp_business_account` webhook body into inbound events, in
 * the order Meta listed them. Changes to fields other than `messages`
 * (template reviews, account updates) carry no conversation events and are skipped.
 */
export function parseMetaWebhook(json: unknown): WhatsAppInboundEvent[] {
  const body = parseAt(envelope, json, '');
  const events: WhatsAppInboundEvent[] = [];
  body.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      if (change.field !== 'messages') return;
      const at = `entry[${e}].changes[${c}].value`;
      const value = parseAt(messagesValue, change.value, at);
      const businessAddress = value.metadata.phone_number_id;
      const names = new Map<string, string>();
      for (const contact of value.contacts ?? []) {
        if (contact.wa_id && contact.profile?.name) names.set(contact.wa_id, contact.profile.name);
      }
      const contacts = value.contacts ?? [];
      // A lone contact without wa_id still names the sender of the messages beside it.
      const onlyName = contacts.length === 1 ? contacts[0]?.profile?.name : undefined;
      value.messages?.forEach((message, m) => events.push(toMessage(message, `${at}.messages[${m}]`, businessAddress, names, onlyName)));
      value.statuses?.forEach((status, s) => {
        const event = toStatus(status, `${at}.statuses[${s}]`, businessAddress);
        if (event) events.push(event);
      });
    });
  });
  return events;
}
