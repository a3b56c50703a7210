import type { SecretBox } from '../../config/secrets';
import type { Db } from '../knex';

export type PaymentAccountProvider = 'stripe' | 'iyzico' | 'payu';
/** `connect`: a Stripe connected account; `sub_merchant`: an iyzico marketplace sub-merchant; `own_keys`: the merchant's own API keys. */
export type PaymentAccountKind = 'connect' | 'sub_merchant' | 'own_keys';
export type PaymentAccountStatus = 'pending' | 'active' | 'restricted' | 'disabled';

/** A merchant's payment account as code and the merchant see it: never its secrets. */
export interface PaymentAccount {
  id: string;
  merchantId: string;
  provider: PaymentAccountProvider;
  kind: PaymentAccountKind;
  externalRef: string | null;
  status: PaymentAccountStatus;
  /** Facts the merchant may see: charges enabled, country, a key hint such as "…1234", what the provider still requires. */
  details: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

interface PaymentAccountRow extends PaymentAccount {
  credentialsEncrypted: string | null;
}

const accounts = (db: Db) => db<PaymentAccountRow>('payment_accounts');
const PUBLIC_COLUMNS = ['id', 'merchantId', 'provider', 'kind', 'externalRef', 'status', 'details', 'createdAt', 'updatedAt'] as const;

/**
 * Creates or replaces the merchant's account at one provider. Credentials are
 * sealed before they reach the database; leaving them out keeps the stored ones,
 * so a status update never needs the secrets again.
 */
export async function savePaymentAccount(
  db: Db,
  box: SecretBox,
  a: {
    merchantId: string;
    provider: PaymentAccountProvider;
    kind: PaymentAccountKind;
    externalRef?: string | null;
    credentials?: Record<string, string>;
    status: PaymentAccountStatus;
    details?: Record<string, unknown>;
  },
): Promise<PaymentAccount> {
  const row = {
    merchantId: a.merchantId,
    provider: a.provider,
    kind: a.kind,
    externalRef: a.externalRef ?? null,
    status: a.status,
    details: JSON.stringify(a.details ?? {}) as unknown as Record<string, unknown>,
    ...(a.credentials ? { credentialsEncrypted: box.sealJson(a.credentials) } : {}),
  };
  const [saved] = (await accounts(db)
    .insert(row)
    .onConflict(['merchantId', 'provider'])
    .merge({ ...row, updatedAt: db.fn.now() })
    .returning(PUBLIC_COLUMNS)) as PaymentAccount[];
  return saved!;
}

export async function paymentAccountsOf(db: Db, merchantId: string): Promise<PaymentAccount[]> {
  return (await accounts(db).where({ merchantId }).orderBy('provider').select(PUBLIC_COLUMNS)) as PaymentAccount[];
}

export async function paymentAccountOf(db: Db, merchantId: string, provider: PaymentAccountProvider): Promise<PaymentAccount | undefined> {
  return (await accounts(db).where({ merchantId, provider }).first(PUBLIC_COLUMNS)) as PaymentAccount | undefined;
}

export async function paymentAccountById(db: Db, id: string): Promise<PaymentAccount | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return (await accounts(db).where({ id }).first(PUBLIC_COLUMNS)) as PaymentAccount | undefined;
}

export async function paymentAccountByRef(db: Db, provider: PaymentAccountProvider, externalRef: string): Promise<PaymentAccount | undefined> {
  return (await accounts(db).where({ provider, externalRef }).first(PUBLIC_COLUMNS)) as PaymentAccount | undefined;
}

/** The account's secrets, opened; only provider code that acts for the merchant asks for them. */
export async function paymentAccountCredentials(db: Db, box: SecretBox, id: string): Promise<Record<string, string> | null> {
  const row = await accounts(db).where({ id }).first('credentialsEncrypted');
  return row?.credentialsEncrypted ? box.openJson<Record<string, string>>(row.credentialsEncrypted) : null;
}

export async function setPaymentAccountStatus(db: Db, id: string, status: PaymentAccountStatus, details?: Record<string, unknown>): Promise<boolean> {
  const changed = await accounts(db)
    .where({ id })
    .update({ status, ...(details ? { details: JSON.stringify(details) as unknown as Record<string, unknown> } : {}), updatedAt: db.fn.now() });
  return changed > 0;
}

/**
 * Disconnects: the row stays (orders point at it) but is disabled and its
 * secrets are wiped, so nothing can charge or refund through it any more.
 */
export async function removePaymentAccount(db: Db, merchantId: string, provider: PaymentAccountProvider): Promise<boolean> {
  const changed = await accounts(db)
    .where({ merchantId, provider })
    .update({ status: 'disabled', credentialsEncrypted: null, updatedAt: db.fn.now() });
  return changed > 0;
}
