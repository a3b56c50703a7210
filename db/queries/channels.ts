import type { SecretBox } from '../../config/secrets';
import type { Db } from '../knex';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string;
}
export interface MetaCredentials {
  accessToken: string;
  /** WhatsApp Business Account id, for the template list API. */
  wabaId?: string;
}

export type MerchantChannel =
  | { id: string; merchantId: string; provider: 'twilio'; address: string; credentials: TwilioCredentials }
  | { id: string; merchantId: string; provider: 'meta'; address: string; credentials: MetaCredentials };

interface Row {
  id: string;
  merchant_id: string;
  provider: 'twilio' | 'meta';
  address: string;
  credentials_encrypted: string;
}

const toChannel = (box: SecretBox, r: Row): MerchantChannel =>
  ({ id: r.id, merchantId: r.merchant_id, provider: r.provider, address: r.address, credentials: box.openJson(r.credentials_encrypted) }) as MerchantChannel;

/** The receiving number selects the merchant. */
export async function channelByAddress(db: Db, box: SecretBox, provider: 'twilio' | 'meta', address: string): Promise<MerchantChannel | null> {
  const row: Row | undefined = await db('merchant_channels').where({ provider, address, active: true }).first();
  return row ? toChannel(box, row) : null;
}

export async function channelById(db: Db, box: SecretBox, id: string): Promise<MerchantChannel | null> {
  const row: Row | undefined = await db('merchant_channels').where({ id }).first();
  return row ? toChannel(box, row) : null;
}

export async function upsertChannel(
  db: Db,
  box: SecretBox,
  c: { merchantId: string; provider: 'twilio' | 'meta'; address: string; credentials: TwilioCredentials | MetaCredentials },
): Promise<string | null> {
  const [row] = await db('merchant_channels')
    .insert({ merchant_id: c.merchantId, provider: c.provider, address: c.address, credentials_encrypted: box.sealJson(c.credentials), active: true })
    .onConflict(['provider', 'address'])
    .merge(['credentials_encrypted', 'active', 'updated_at'])
    // A number another merchant already connected is never taken over: null.
    .where('merchant_channels.merchant_id', c.merchantId)
    .returning('id');
  return (row?.id as string | undefined) ?? null;
}

/** Remembers which number a WhatsApp lead writes to and how to reach the customer (sealed). */
export async function rememberWhatsAppCustomer(
  db: Db,
  box: SecretBox,
  conversationId: string,
  c: { channelId: string; phone: string; name?: string },
): Promise<void> {
  await db('conversations')
    .where({ id: conversationId })
    .update({ merchant_channel_id: c.channelId, customer_address_encrypted: box.seal(c.phone), ...(c.name ? { customer_name: c.name.slice(0, 200) } : {}) });
}

export async function whatsAppRecipient(db: Db, box: SecretBox, conversationId: string): Promise<{ channelId: string; phone: string } | null> {
  const row = await db('conversations').where({ id: conversationId }).first('merchant_channel_id', 'customer_address_encrypted');
  if (!row?.merchant_channel_id || !row.customer_address_encrypted) return null;
  return { channelId: row.merchant_channel_id, phone: box.open(row.customer_address_encrypted) };
}
