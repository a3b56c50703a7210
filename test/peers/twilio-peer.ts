/**
 * A local stand-in for Twilio's Messages API
 * (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`). It speaks the real
 * wire format: form-encoded requests, HTTP Basic auth with AccountSid:AuthToken,
 * Twilio's `{code, message, more_info, status}` error body and Message
 * resources as answers. Twilio accepts every valid request, so the peer does
 * too: with nothing scripted it answers 201 with a queued Message built from
 * the request; scripted answers (usually errors) are used first, in order.
 */
import { randomBytes } from 'node:crypto';
import { startScriptedPeer } from './scripted-peer';
import type { RecordedRequest, ScriptedPeer, ScriptedResponse } from './scripted-peer';

/** A recorded Messages request with its form fields (`form.get('Body')`, `form.getAll('MediaUrl')`). */
export interface TwilioRecordedRequest extends RecordedRequest<never> {
  form: URLSearchParams;
}

export interface TwilioPeer extends ScriptedPeer<never> {
  /** Replaces `https://api.twilio.com` for the SDK. */
  apiBaseUrl: string;
  /** Requests to the Messages endpoint, rejected ones included. */
  messages(): TwilioRecordedRequest[];
}

const defaultMessages: Record<number, string> = {
  20003: 'Authenticate',
  20429: 'Too Many Requests',
  20500: 'An internal server error has occurred',
  21211: "Invalid 'To' Phone Number",
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
  63003: 'Channel could not find To address',
  63016:
    'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  63024: 'Invalid message recipient',
};

/** Twilio's error body; `message` defaults to Twilio's wording for the code. */
export function twilioError(status: number, code: number, message = defaultMessages[code] ?? `Error ${code}`): ScriptedResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Twilio's resource dates are RFC 2822 with a numeric zone. */
const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

function messageResource(accountSid: string, form: URLSearchParams) {
  const messageSid = sid('SM');
  const now = rfc2822(new Date());
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}`;
  const from = form.get('From');
  const body = form.get('Body') ?? '';
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from,
    messaging_service_sid: form.get('MessagingServiceSid'),
    num_media: String(form.getAll('MediaUrl').length),
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: messageSid,
    // Without a From, a Messaging Service picks the sender later and Twilio reports "accepted".
    status: from ? 'queued' : 'accepted',
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: form.get('To'),
    uri: `${uri}.json`,
  };
}

/** The checks Twilio makes before it queues a message; each failure is a 400 with Twilio's code. */
function invalidRequest(form: URLSearchParams): ScriptedResponse | null {
  const to = form.get('To');
  const from = form.get('From');
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!from && !form.get('MessagingServiceSid')) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (from && from.startsWith('whatsapp:') !== to.startsWith('whatsapp:')) {
    return twilioError(400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
  }
  if (!form.get('Body') && form.getAll('MediaUrl').length === 0 && !form.get('ContentSid')) {
    return twilioError(400, 21619, 'A text message body or media urls must be specified.');
  }
  if ((form.get('Body') ?? '').length > 1600) {
    return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  const variables = form.get('ContentVariables');
  if (variables !== null) {
    try {
      const parsed: unknown = JSON.parse(variables);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      return twilioError(400, 21656, 'The ContentVariables Parameter is invalid.');
    }
  }
  return null;
}

export async function startTwilioPeer(options: { accountSid: string; authToken: string }): Promise<TwilioPeer> {
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const path = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  // The request being answered: the scripted peer calls `validate` and then,
  // with nothing scripted, `exhausted` synchronously for the same request.
  let current: URLSearchParams | null = null;

  const { origin, routed, ...peer } = await startScriptedPeer<never>({
    route: { method: 'POST', path },
    responseHeaders: () => ({ 'twilio-request-id': sid('RQ'), 'twilio-request-duration': '0.012' }),
    notFound: (_method, requested) =>
      twilioError(404, 20404, `The requested resource ${requested} was not found`),
    authorize: ({ authorization }) =>
      authorization === expectedAuth
        ? null
        : { ...twilioError(401, 20003), headers: { 'www-authenticate': 'Basic realm="Twilio API"' } },
    validate: ({ raw }) => {
      const form = new URLSearchParams(raw);
      const invalid = invalidRequest(form);
      current = invalid ? null : form;
      return invalid;
    },
    exhausted: () =>
      current ? { status: 201, body: messageResource(options.accountSid, current) } : twilioError(500, 20500),
  });

  return {
    ...peer,
    apiBaseUrl: origin,
    messages: () => routed().map((request) => ({ ...request, form: new URLSearchParams(request.raw) })),
  };
}
