import type { SecretBox } from '../../config/secrets';
import type { Db } from '../knex';
import type { ConversationRow } from './conversations';

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

/** A row of `merchant_channels`: one connected WhatsApp number; credentials are sealed, never stored in the clear. */
interface ChannelRow {
  id: string;
  merchantId: string;
  provider: 'twilio' | 'meta';
  address: string;
  credentialsEncrypted: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A connected number as the merchant sees it: no credentials. */
export interface ChannelSummary {
  id: string;
  provider: 'twilio' | 'meta';
  address: string;
  active: boolean;
  createdAt: string;
}

const toChannel = (box: SecretBox, r: ChannelRow): MerchantChannel =>
  ({ id: r.id, merchantId: r.merchantId, provider: r.provider, address: r.address, credentials: box.openJson(r.credentialsEncrypted) }) as MerchantChannel;

const channels = (db: Db) => db<ChannelRow>('merchant_channels');

/** The receiving number selects the merchant. */
export async function channelByAddress(db: Db, box: SecretBox, provider: 'twilio' | 'meta', address: string): Promise<MerchantChannel | null> {
  const row = await channels(db).where({ provider, address, active: true }).first();
  return row ? toChannel(box, row) : null;
}

export async function channelById(db: Db, box: SecretBox, id: string): Promise<MerchantChannel | null> {
  const row = await channels(db).where({ id }).first();
  return row ? toChannel(box, row) : null;
}

export async function listChannels(db: Db, merchantId: string): Promise<ChannelSummary[]> {
  const rows = await channels(db).where({ merchantId }).orderBy('createdAt').select('id', 'provider', 'address', 'active', 'createdAt');
  return rows.map((r) => ({ id: r.id, provider: r.provider, address: r.address, active: r.active, createdAt: r.createdAt.toISOString() }));
}

export async function activeChannelIds(db: Db, merchantId: string): Promise<string[]> {
  return (await channels(db).where({ merchantId, active: true }).select('id')).map((r) => r.id);
}

/**
 * Disconnects this merchant's number: its credentials are replaced by an
 * empty sealed value, while conversations keep pointing at the row for
 * history. Null for another merchant's channel.
 */
export async function deactivateChannel(db: Db, box: SecretBox, merchantId: string, id: string): Promise<Pick<ChannelRow, 'provider' | 'address'> | null> {
  const row = await channels(db).where({ id, merchantId }).first('provider', 'address');
  if (!row) return null;
  await channels(db).where({ id }).update({ active: false, credentialsEncrypted: box.sealJson({}), updatedAt: db.fn.now() });
  return row;
}

export async function upsertChannel(
  db: Db,
  box: SecretBox,
  c: { merchantId: string; provider: 'twilio' | 'meta'; address: string; credentials: TwilioCredentials | MetaCredentials },
): Promise<string | null> {
  const [row] = await db('merchant_channels')
    .insert({ merchantId: c.merchantId, provider: c.provider, address: c.address, credentialsEncrypted: box.sealJson(c.credentials), active: true })
    .onConflict(['provider', 'address'])
    .merge(['credentialsEncrypted', 'active', 'updatedAt'])
    // A number another merchant already connected is never taken over: null.
    .where('merchant_channels.merchantId', c.merchantId)
    .returning('id');
  return (row as { id: string } | undefined)?.id ?? null;
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
    .update({ merchantChannelId: c.channelId, customerAddressEncrypted: box.seal(c.phone), ...(c.name ? { customerName: c.name.slice(0, 200) } : {}) });
}

export async function whatsAppRecipient(db: Db, box: SecretBox, conversationId: string): Promise<{ channelId: string; phone: string } | null> {
  const row = await db<ConversationRow>('conversations').where({ id: conversationId }).first('merchantChannelId', 'customerAddressEncrypted');
  if (!row?.merchantChannelId || !row.customerAddressEncrypted) return null;
  return { channelId: row.merchantChannelId, phone: box.open(row.customerAddressEncrypted) };
}

/**
 * Moves every sealed secret (channel credentials, customers' phone numbers) to
 * the key that seals now, after CREDENTIALS_KEY gained a new first key. Rows
 * are read in pages and each is updated only if it still holds what was read,
 * so a credential replaced meanwhile is not overwritten with its old value.
 * Idempotent: a second run finds nothing to do. `npm run migrate` runs it on every deploy.
 */
export async function resealStoredSecrets(db: Db, box: SecretBox, pageSize = 500): Promise<{ channels: number; customers: number; unreadable: number }> {
  const done = { channels: 0, customers: 0, unreadable: 0 };
  const targets = [
    { table: 'merchant_channels', column: 'credentialsEncrypted', count: 'channels' },
    { table: 'conversations', column: 'customerAddressEncrypted', count: 'customers' },
  ] as const;
  for (const { table, column, count } of targets) {
    let after: string | null = null;
    for (;;) {
      const from = after;
      const rows: { id: string; sealed: string }[] = await db(table)
        .whereNotNull(column)
        .modify((q) => {
          if (from !== null) void q.andWhere('id', '>', from);
        })
        .orderBy('id')
        .limit(pageSize)
        .select('id', `${column} as sealed`);
      if (!rows.length) break;
      after = rows.at(-1)!.id;
      for (const row of rows) {
        if (!box.needsReseal(row.sealed)) continue;
        let resealed: string;
        try {
          resealed = box.reseal(row.sealed);
        } catch {
          // Sealed under a key no longer listed: counted, so the operator learns of it, and left as it is.
          done.unreadable++;
          continue;
        }
        done[count] += await db(table).where({ id: row.id, [column]: row.sealed }).update({ [column]: resealed });
      }
    }
  }
  return done;
}
