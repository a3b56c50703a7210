/**
 * Twilio's WhatsApp wire client: one outbound message per `send`, through the
 * official SDK's Messages resource. Recording, idempotency and routing live
 * in the channel built on top of it.
 */
import twilio from 'twilio';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message';
import { NonRetryableSendError, TemplateRequiredError } from './channel';
import type { OutboundContent, WhatsAppProviderClient, WhatsAppSendRequest } from './channel';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** The business's WhatsApp sender in E.164 (`+14155238886`); a `whatsapp:` prefix is tolerated. */
  from: string;
  messagingServiceSid?: string;
  /** Where Twilio posts delivery statuses (`…/webhooks/twilio/status`). */
  statusCallbackUrl?: string;
}

export interface TwilioClientOptions {
  /** Replaces `https://api.twilio.com`, e.g. a local peer in tests. */
  apiBaseUrl?: string;
}

/** Outside the customer-service window Twilio only delivers approved templates. */
const TEMPLATE_REQUIRED = 63016;

/**
 * Rejections a retry cannot fix, whatever HTTP status they come with: invalid
 * `To` (21211), recipient opted out (21610), not a mobile number (21614),
 * channel could not find the recipient (63003), invalid message recipient (63024).
 */
const NON_RETRYABLE_CODES = new Set([21211, 21610, 21614, 63003, 63024]);

const WHATSAPP_PREFIX = 'whatsapp:';

const whatsappAddress = (e164: string) =>
  e164.startsWith(WHATSAPP_PREFIX) ? e164 : `${WHATSAPP_PREFIX}${e164}`;

type ContentFields = Pick<MessageListInstanceCreateOptions, 'body' | 'mediaUrl' | 'contentSid' | 'contentVariables'>;

function contentFields(content: OutboundContent): ContentFields {
  switch (content.kind) {
    case 'text':
      return { body: content.text };
    case 'media':
      // Twilio infers the media type from the URL's Content-Type and the file
      // name from its path, so `mediaType` and `filename` have no field here.
      return content.caption ? { mediaUrl: [content.url], body: content.caption } : { mediaUrl: [content.url] };
    case 'buttons':
      // Real quick-reply buttons on Twilio need a pre-registered Content
      // template (twilio/quick-reply); free-form content cannot carry them.
      // Numbered options keep the choice answerable by typing "1" or the title.
      return { body: [content.text, '', ...content.buttons.map((button, i) => `${i + 1}. ${button.title}`)].join('\n') };
    case 'template': {
      const { template } = content;
      if (!template.providerId) {
        throw new NonRetryableSendError(
          `template "${template.name}" (${template.language}) has no Twilio Content SID (providerId)`,
          'template_missing_content_sid',
        );
      }
      // Body and MediaUrl must stay empty: Twilio renders the approved template itself.
      const fields: ContentFields = { contentSid: template.providerId };
      if (template.variables.length > 0) {
        fields.contentVariables = JSON.stringify(
          Object.fromEntries(template.variables.map((value, i) => [String(i + 1), value])),
        );
      }
      return fields;
    }
  }
}

interface TwilioApiError {
  status: number;
  code?: number;
  message: string;
}

/**
 * The SDK turns every non-2xx answer into a RestException (or, for RFC 9457
 * bodies, a TwilioServiceException, which it does not export); both carry
 * the HTTP status and Twilio's numeric code. Transport failures have no status.
 */
function apiErrorOf(err: unknown): TwilioApiError | null {
  if (!(err instanceof Error)) return null;
  const { status, code } = err as Error & { status?: unknown; code?: unknown };
  if (typeof status !== 'number') return null;
  return { status, code: typeof code === 'number' ? code : undefined, message: err.message };
}

function classify(err: unknown): Error {
  const apiError = apiErrorOf(err);
  if (!apiError) return err instanceof Error ? err : new Error(String(err));
  const { status, code, message } = apiError;
  const described = `twilio ${status}${code ? ` (${code})` : ''}: ${message}`;
  if (code === TEMPLATE_REQUIRED) return new TemplateRequiredError(described);
  if (code !== undefined && NON_RETRYABLE_CODES.has(code)) return new NonRetryableSendError(described, String(code));
  // Rate limits and server faults pass on unchanged so the activity retries them.
  if (status === 429 || status >= 500) return err as Error;
  if (status >= 400) return new NonRetryableSendError(described, code === undefined ? `http_${status}` : String(code));
  return err as Error;
}

export function createTwilioClient(creds: TwilioCredentials, opts: TwilioClientOptions = {}): WhatsAppProviderClient {
  // Retries belong to the Temporal activity, which knows the idempotency key;
  // the SDK's own retry (off by default) stays off.
  const client = twilio(creds.accountSid, creds.authToken, { autoRetry: false });
  // The Messages resource resolves its URL from the `api` domain on every
  // request, so replacing that domain's base URL redirects only this client.
  if (opts.apiBaseUrl) client.api.baseUrl = opts.apiBaseUrl;

  const from = whatsappAddress(creds.from);

  return {
    provider: 'twilio',
    async send(req: WhatsAppSendRequest) {
      const params: MessageListInstanceCreateOptions = {
        to: whatsappAddress(req.to),
        from,
        ...contentFields(req.content),
      };
      if (creds.messagingServiceSid) params.messagingServiceSid = creds.messagingServiceSid;
      if (creds.statusCallbackUrl) params.statusCallback = creds.statusCallbackUrl;

      try {
        const message = await client.messages.create(params);
        return { providerMessageId: message.sid };
      } catch (err) {
        throw classify(err);
      }
    },
  };
}
