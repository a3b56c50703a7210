import { z } from 'zod';
import type { PaymentAccount } from '../../db/queries/payment-accounts';
import { callSdk, createIyzicoProvider, iyzicoEnvelope, iyzicoSdk, IyzicoApiError, parseIyzico, type IyzicoApprovalMode, type IyzicoCurrency } from './iyzico';
import type { PaymentProvider } from './provider';

/**
 * The merchant's side of iyzico: registering a merchant as a sub-merchant of
 * the platform's marketplace account (iyzico's onboarding API), and checking
 * a merchant's own API keys before they are stored.
 */

export interface IyzicoApiConfig {
  baseUrl: string;
  apiKey: string;
  secretKey: string;
}

export const IYZICO_SUB_MERCHANT_TYPES = ['PERSONAL', 'PRIVATE_COMPANY', 'LIMITED_OR_JOINT_STOCK_COMPANY'] as const;
export type IyzicoSubMerchantType = (typeof IYZICO_SUB_MERCHANT_TYPES)[number];

/** A seller as iyzico's onboarding API knows it; which fields are required depends on `type`. */
export interface IyzicoSubMerchantDetails {
  type: IyzicoSubMerchantType;
  /** The shop's name. */
  name: string;
  email: string;
  /** E.164, e.g. +905350000000. */
  gsmNumber: string;
  address: string;
  /** Where iyzico pays the seller's share. */
  iban: string;
  currency: IyzicoCurrency;
  /** PERSONAL: the person's name. */
  contactName?: string;
  contactSurname?: string;
  /** PERSONAL and PRIVATE_COMPANY: the Turkish national id (TCKN). */
  identityNumber?: string;
  /** Companies: tax office and official title. */
  taxOffice?: string;
  legalCompanyTitle?: string;
  /** LIMITED_OR_JOINT_STOCK_COMPANY: the company's tax number (VKN). */
  taxNumber?: string;
}

/** The fields iyzico requires for each sub-merchant type, beyond name, email, gsmNumber, address, iban and currency. */
export const IYZICO_SUB_MERCHANT_REQUIRED: Record<IyzicoSubMerchantType, Array<keyof IyzicoSubMerchantDetails>> = {
  PERSONAL: ['contactName', 'contactSurname', 'identityNumber'],
  PRIVATE_COMPANY: ['taxOffice', 'legalCompanyTitle', 'identityNumber'],
  LIMITED_OR_JOINT_STOCK_COMPANY: ['taxOffice', 'taxNumber', 'legalCompanyTitle'],
};

type Callback = (err: Error | null, result: unknown) => void;
interface SdkResource {
  create(request: object, cb: Callback): void;
  retrieve(request: object, cb: Callback): void;
  update(request: object, cb: Callback): void;
}
interface AccountsSdk {
  subMerchant: SdkResource;
  binNumber: SdkResource;
}

const created = iyzicoEnvelope.extend({ subMerchantKey: z.string().min(1) });
const retrieved = iyzicoEnvelope.extend({
  subMerchantKey: z.string().min(1),
  subMerchantExternalId: z.string().optional(),
  subMerchantType: z.string().optional(),
  name: z.string().optional(),
});

/** The request fields both create and update send: only those the type uses, so a stale field never reaches iyzico. */
function detailFields(d: IyzicoSubMerchantDetails) {
  const used = new Set<string>(IYZICO_SUB_MERCHANT_REQUIRED[d.type]);
  const pick = (field: keyof IyzicoSubMerchantDetails) => (used.has(field) ? d[field] : undefined);
  return {
    name: d.name,
    email: d.email,
    gsmNumber: d.gsmNumber,
    address: d.address,
    iban: d.iban.replace(/\s+/g, '').toUpperCase(),
    currency: d.currency,
    contactName: pick('contactName'),
    contactSurname: pick('contactSurname'),
    identityNumber: pick('identityNumber'),
    taxOffice: pick('taxOffice'),
    legalCompanyTitle: pick('legalCompanyTitle'),
    taxNumber: pick('taxNumber'),
  };
}

/** iyzico's onboarding API, called with the platform's (marketplace) keys. */
export function createIyzicoSubMerchants(config: IyzicoApiConfig) {
  const sdk = iyzicoSdk<AccountsSdk>(config);
  return {
    /** Registers the seller; `externalId` is ours (the merchant id) and unique at iyzico. Returns the `subMerchantKey`. */
    async create(externalId: string, details: IyzicoSubMerchantDetails): Promise<string> {
      const request = { locale: 'en', conversationId: externalId, subMerchantExternalId: externalId, subMerchantType: details.type, ...detailFields(details) };
      return parseIyzico(created, await callSdk(sdk.subMerchant, 'create', request), 'sub-merchant create').subMerchantKey;
    },
    /** Changes the seller's details; iyzico does not let the type change. */
    async update(subMerchantKey: string, details: IyzicoSubMerchantDetails): Promise<void> {
      const request = { locale: 'en', conversationId: subMerchantKey, subMerchantKey, ...detailFields(details) };
      parseIyzico(iyzicoEnvelope, await callSdk(sdk.subMerchant, 'update', request), 'sub-merchant update');
    },
    /** The seller registered under our id, or null when there is none (a create whose answer was lost). */
    async retrieve(externalId: string): Promise<{ subMerchantKey: string; type: string | null } | null> {
      const answer = await callSdk(sdk.subMerchant, 'retrieve', { locale: 'en', conversationId: externalId, subMerchantExternalId: externalId });
      const envelope = iyzicoEnvelope.safeParse(answer);
      if (envelope.success && envelope.data.status !== 'success') return null;
      const body = parseIyzico(retrieved, answer, 'sub-merchant retrieve');
      return { subMerchantKey: body.subMerchantKey, type: body.subMerchantType ?? null };
    },
  };
}

export type KeyCheck = { ok: true } | { ok: false; reason: string };

/**
 * Proves a pair of API keys with a read-only authenticated call (the BIN
 * lookup): iyzico checks the IYZWSv2 signature, so a wrong secret fails as
 * surely as a wrong key. A refusal is `{ ok: false }`; iyzico being
 * unreachable or answering nonsense throws, which is not the keys' fault.
 */
export async function checkIyzicoKeys(config: IyzicoApiConfig): Promise<KeyCheck> {
  const sdk = iyzicoSdk<AccountsSdk>(config);
  const answer = await callSdk(sdk.binNumber, 'retrieve', { locale: 'en', conversationId: 'key-check', binNumber: '554960' });
  const envelope = iyzicoEnvelope.safeParse(answer);
  if (!envelope.success) throw new IyzicoApiError('iyzico answered the key check with something unreadable');
  if (envelope.data.status === 'success') return { ok: true };
  const code = envelope.data.errorCode === undefined ? '' : ` (${String(envelope.data.errorCode)})`;
  return { ok: false, reason: `iyzico refused these keys${code}: ${envelope.data.errorMessage ?? 'no message'}` };
}

/** What the installation needs to serve merchants' iyzico accounts. */
export interface IyzicoAccountsConfig {
  /** The same iyzico environment as the installation's (sandbox or live): a merchant's keys must be of it. */
  baseUrl: string;
  /** Where iyzico sends the customer back; the order found by the token leads to the right account. */
  callbackUrl: string;
  /** The platform's marketplace keys: sub-merchants are registered and charged with them. Null: no sub-merchants. */
  platform: { apiKey: string; secretKey: string } | null;
  /** When a sub-merchant's share is released: approved once the payment is verified (the default), or by a person. */
  approveItems?: IyzicoApprovalMode;
}

/** A provider that refuses everything, for an account that can no longer act (disconnected, or its platform keys removed). */
export function unavailableProvider(name: string, accountId: string, reason: string): PaymentProvider {
  const refuse = async (): Promise<never> => {
    throw Object.assign(new Error(`${name} account ${accountId} cannot be used: ${reason}`), { name: 'PaymentAccountUnavailable', nonRetryable: true });
  };
  return { name, accountId, createCheckout: refuse, fetchStatus: refuse, refund: refuse };
}

/**
 * Builds the provider for a merchant's iyzico account: a sub-merchant is
 * charged with the platform's keys and its `subMerchantKey` on every basket
 * line; own keys are the merchant's own iyzico account, whose notifications
 * it signs with its own secret.
 */
export function iyzicoAccountProvider(config: IyzicoAccountsConfig) {
  return (account: PaymentAccount, credentials: Record<string, string> | null): PaymentProvider => {
    const common = { baseUrl: config.baseUrl, callbackUrl: config.callbackUrl, accountId: account.id };
    if (account.kind === 'sub_merchant') {
      if (!config.platform || !account.externalRef) return unavailableProvider('iyzico', account.id, 'the installation has no iyzico marketplace keys');
      return createIyzicoProvider({ ...common, ...config.platform, subMerchantKey: account.externalRef, approveItems: config.approveItems ?? 'on_payment' });
    }
    if (!credentials?.apiKey || !credentials.secretKey) return unavailableProvider('iyzico', account.id, 'its keys were removed');
    return createIyzicoProvider({ ...common, apiKey: credentials.apiKey, secretKey: credentials.secretKey });
  };
}
