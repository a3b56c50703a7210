import { z } from 'zod';
import { paymentAccountOf, removePaymentAccount, savePaymentAccount, type PaymentAccount, type PaymentAccountProvider } from '../../../db/queries/payment-accounts';
import { IYZICO_CURRENCIES } from '../../../integrations/payments/iyzico';
import {
  checkIyzicoKeys,
  createIyzicoSubMerchants,
  IYZICO_SUB_MERCHANT_REQUIRED,
  IYZICO_SUB_MERCHANT_TYPES,
  type IyzicoSubMerchantDetails,
} from '../../../integrations/payments/iyzico-accounts';
import { IyzicoApiError } from '../../../integrations/payments/iyzico';
import { checkPayUCredentials } from '../../../integrations/payments/payu';
import { accountWebhookPath } from '../../../integrations/payments/payu-accounts';
import { HttpError, notFound } from '../../errors';
import { audit, originOf, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';
import { PaymentAccountView } from './payment-accounts';

const hint = (value: string) => `…${value.slice(-4)}`;

/** ISO 13616 check digits, so a mistyped IBAN is a 400 here rather than a refusal from iyzico. */
function ibanValid(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const Iban = z
  .string()
  .transform((v) => v.replace(/\s+/g, '').toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'must be an IBAN like TR33 0006 1005 1978 6457 8413 26').refine(ibanValid, 'the IBAN check digits do not match'));

const SubMerchant = z
  .strictObject({
    kind: z.literal('sub_merchant'),
    type: z.enum(IYZICO_SUB_MERCHANT_TYPES).describe('PERSONAL (an individual), PRIVATE_COMPANY (sole proprietorship) or LIMITED_OR_JOINT_STOCK_COMPANY'),
    name: text(200).describe("The shop's name"),
    email: z.email().max(200),
    gsmNumber: z.string().regex(/^\+\d{10,15}$/, 'must be an international number like +905350000000'),
    address: text(500),
    iban: Iban.describe("Where iyzico pays the merchant's share"),
    currency: z.enum(IYZICO_CURRENCIES).default('TRY').describe('The currency of the payouts'),
    contactName: text(100).optional().describe('PERSONAL: first name'),
    contactSurname: text(100).optional().describe('PERSONAL: surname'),
    identityNumber: z.string().regex(/^\d{11}$/, 'must be the 11-digit Turkish identity number (TCKN)').optional().describe('PERSONAL and PRIVATE_COMPANY'),
    taxOffice: text(100).optional().describe('Companies'),
    legalCompanyTitle: text(200).optional().describe('Companies: the official title'),
    taxNumber: z.string().regex(/^\d{10}$/, 'must be the 10-digit tax number (VKN)').optional().describe('LIMITED_OR_JOINT_STOCK_COMPANY'),
  })
  .superRefine((body, ctx) => {
    for (const field of IYZICO_SUB_MERCHANT_REQUIRED[body.type]) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for a ${body.type} sub-merchant` });
    }
  });

const OwnIyzicoKeys = z.strictObject({
  kind: z.literal('own_keys'),
  apiKey: z.string().trim().min(8).max(200).describe("The merchant's iyzico API key"),
  secretKey: z.string().trim().min(8).max(200).describe('Write-only: checked with iyzico, sealed, never shown again'),
});
const ConnectIyzico = z.discriminatedUnion('kind', [SubMerchant, OwnIyzicoKeys]);

const ConnectPayU = z.strictObject({
  posId: z.string().regex(/^\d{1,20}$/, 'must be the numeric POS id (pos_id)'),
  clientId: z.string().trim().min(1).max(100).describe('OAuth client_id of the POS'),
  clientSecret: z.string().trim().min(8).max(200).describe('Write-only: OAuth client_secret'),
  secondKey: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be the 32-character second key (MD5) of the POS').describe('Write-only: signs the notifications PayU sends'),
});

const AccountState = z.object({
  account: PaymentAccountView.nullable(),
  webhookUrl: z.string().nullable().describe('Where this account’s notifications must go (iyzico: set it as the merchant notification URL in the iyzico panel); null until keys are connected'),
});
const IyzicoState = AccountState.extend({
  subMerchants: z.boolean().describe('Whether this installation can register the merchant as a sub-merchant of its iyzico marketplace'),
  ownKeys: z.boolean().describe("Whether the merchant can connect its own iyzico keys"),
});

// The merchant id is the caller's own and not part of the view.
const view = ({ merchantId: _merchantId, ...a }: PaymentAccount) => ({ ...a, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() });

/**
 * iyzico (a sub-merchant of the platform's marketplace, or the merchant's own
 * keys) and PayU (the merchant's own POS). Keys are write-only: checked with
 * the provider before anything is stored, sealed with the credential box, and
 * answered with a hint only.
 */
export function iyzicoPayuAccountRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db, box } = deps;
  const current = async (merchantId: string, provider: PaymentAccountProvider) => {
    const account = await paymentAccountOf(db, merchantId, provider);
    return account && account.status !== 'disabled' ? account : null;
  };
  const webhookUrl = (req: Parameters<typeof originOf>[1], account: PaymentAccount | null) =>
    account && account.kind === 'own_keys' && account.status !== 'disabled' ? `${originOf(deps, req).replace(/\/$/, '')}${accountWebhookPath(account.id)}` : null;

  const unreachable = (provider: string, err: unknown, merchantId: string): never => {
    // The provider's words go to the log only; the key values never do (the error carries none).
    deps.log.warn({ err, merchantId, provider }, 'payment account check failed');
    throw new HttpError(502, 'provider_error', `${provider} could not check the account just now; nothing was saved. Try again in a moment (the server log has ${provider}'s answer)`);
  };

  /** Switching kind (own keys ↔ sub-merchant) wipes the old secrets first, so none outlive the kind they belonged to. */
  const clearOtherKind = async (merchantId: string, provider: PaymentAccountProvider, kind: PaymentAccount['kind']) => {
    const existing = await paymentAccountOf(db, merchantId, provider);
    if (existing && existing.kind !== kind) await removePaymentAccount(db, merchantId, provider);
    return existing;
  };

  async function connectSubMerchant(merchantId: string, body: z.output<typeof SubMerchant>): Promise<PaymentAccount> {
    const platform = deps.iyzicoAccounts?.platform;
    if (!deps.iyzicoAccounts || !platform) throw new HttpError(409, 'not_available', 'This installation has no iyzico marketplace account to register sub-merchants with');
    const api = createIyzicoSubMerchants({ ...platform, baseUrl: deps.iyzicoAccounts.baseUrl });
    const details: IyzicoSubMerchantDetails = { ...body, currency: body.currency };
    let subMerchantKey: string;
    try {
      // Registered under the merchant's id: looking it up first makes a retry (or a reconnect) update the same seller.
      const known = await api.retrieve(merchantId);
      if (known && known.type && known.type !== body.type) {
        throw new HttpError(409, 'conflict', `iyzico has this merchant as a ${known.type} sub-merchant and does not change the type; ask iyzico to change it`);
      }
      if (known) await api.update(known.subMerchantKey, details);
      subMerchantKey = known?.subMerchantKey ?? (await api.create(merchantId, details));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      // 1000/1001: iyzico refused the platform's own keys, which is the installation's to fix, not the merchant's.
      if (err instanceof IyzicoApiError && err.errorCode !== null && !['1000', '1001'].includes(err.errorCode)) {
        throw new HttpError(422, 'rejected_by_provider', `iyzico did not accept the sub-merchant: ${err.message.replace(/^iyzico [^:]*: /, '')}`);
      }
      return unreachable('iyzico', err, merchantId);
    }
    await clearOtherKind(merchantId, 'iyzico', 'sub_merchant');
    return savePaymentAccount(db, box, {
      merchantId,
      provider: 'iyzico',
      kind: 'sub_merchant',
      externalRef: subMerchantKey,
      status: 'active',
      details: { subMerchantType: body.type, name: body.name, email: body.email, ibanHint: hint(body.iban), currency: body.currency },
    });
  }

  async function connectOwnIyzico(merchantId: string, body: z.output<typeof OwnIyzicoKeys>): Promise<PaymentAccount> {
    if (!deps.iyzicoAccounts) throw new HttpError(409, 'not_available', 'This installation does not take merchants’ own iyzico keys');
    let verdict: Awaited<ReturnType<typeof checkIyzicoKeys>>;
    try {
      verdict = await checkIyzicoKeys({ baseUrl: deps.iyzicoAccounts.baseUrl, apiKey: body.apiKey, secretKey: body.secretKey });
    } catch (err) {
      return unreachable('iyzico', err, merchantId);
    }
    if (!verdict.ok) throw new HttpError(422, 'invalid_credentials', `${verdict.reason}. Check the API key and secret key in the iyzico merchant panel (Settings → Company settings); nothing was saved`);
    await clearOtherKind(merchantId, 'iyzico', 'own_keys');
    return savePaymentAccount(db, box, {
      merchantId,
      provider: 'iyzico',
      kind: 'own_keys',
      externalRef: null,
      credentials: { apiKey: body.apiKey, secretKey: body.secretKey },
      status: 'active',
      details: { keyHint: hint(body.apiKey) },
    });
  }

  const disconnect = (provider: 'iyzico' | 'payu', label: string) =>
    route({
      method: 'delete', path: `/payment-accounts/${provider}`, tag: 'settings', access: 'admin',
      summary: `Disconnect ${label}: checkouts stop using it at once and its keys are deleted. Orders it took stay, and keep their history`,
      responses: { 204: null },
      async handle({ caller, req }) {
        const account = await current(caller.merchantId, provider);
        if (!account || !(await removePaymentAccount(db, caller.merchantId, provider))) throw notFound(`${label} account`);
        await audit(db, caller, req, 'payment_account.disconnect', `${provider}:${account.kind}`);
        return { status: 204 };
      },
    });

  return [
    route({
      method: 'get', path: '/payment-accounts/iyzico', tag: 'settings', access: 'viewer',
      summary: "The merchant's iyzico account (no secrets), and which ways of connecting this installation offers",
      responses: { 200: IyzicoState },
      async handle({ caller, req }) {
        const account = await current(caller.merchantId, 'iyzico');
        return {
          status: 200,
          body: { account: account && view(account), webhookUrl: webhookUrl(req, account), subMerchants: Boolean(deps.iyzicoAccounts?.platform), ownKeys: Boolean(deps.iyzicoAccounts) },
        };
      },
    }),
    route({
      method: 'put', path: '/payment-accounts/iyzico', tag: 'settings', access: 'admin',
      summary:
        'Connect or update iyzico: as a sub-merchant of the installation’s marketplace (iyzico splits each payment, paying the merchant its share to the IBAN) ' +
        "or with the merchant's own API keys, which are checked with iyzico first and never returned",
      body: ConnectIyzico,
      example: { kind: 'own_keys', apiKey: 'sandbox-your-api-key', secretKey: 'sandbox-your-secret-key' },
      responses: {
        200: AccountState,
        409: 'This installation does not offer this kind of iyzico account, or iyzico will not change the sub-merchant’s type',
        422: 'iyzico refused the keys or the sub-merchant details; nothing was saved',
        502: "iyzico could not be reached, or refused the installation's own marketplace keys; nothing was saved",
      },
      async handle({ caller, body, req }) {
        const account = body.kind === 'sub_merchant' ? await connectSubMerchant(caller.merchantId, body) : await connectOwnIyzico(caller.merchantId, body);
        await audit(db, caller, req, 'payment_account.connect', `iyzico:${account.kind}`);
        return { status: 200, body: { account: view(account), webhookUrl: webhookUrl(req, account) } };
      },
    }),
    disconnect('iyzico', 'iyzico'),
    route({
      method: 'get', path: '/payment-accounts/payu', tag: 'settings', access: 'viewer',
      summary: "The merchant's own PayU POS (no secrets) and where its notifications come",
      responses: { 200: AccountState.extend({ available: z.boolean().describe('Whether this installation takes merchants’ own PayU POSes') }) },
      async handle({ caller, req }) {
        const account = await current(caller.merchantId, 'payu');
        return { status: 200, body: { account: account && view(account), webhookUrl: webhookUrl(req, account), available: Boolean(deps.payuAccounts) } };
      },
    }),
    route({
      method: 'put', path: '/payment-accounts/payu', tag: 'settings', access: 'admin',
      summary: "Connect or update the merchant's own PayU POS: the OAuth client is checked with PayU first; the secrets are never returned",
      body: ConnectPayU,
      example: { posId: '300746', clientId: '300746', clientSecret: '2ee86a66e5d97e3fadc400c9f19b065d', secondKey: 'b6ca15b0d1020e8094d9b5f8d163db54' },
      responses: {
        200: AccountState,
        409: 'This installation does not take merchants’ own PayU POSes',
        422: 'PayU refused the client id and secret; nothing was saved',
        502: 'PayU could not be reached; nothing was saved',
      },
      async handle({ caller, body, req }) {
        const payu = deps.payuAccounts;
        if (!payu) throw new HttpError(409, 'not_available', 'This installation does not take merchants’ own PayU POSes');
        let verdict: Awaited<ReturnType<typeof checkPayUCredentials>>;
        try {
          verdict = await checkPayUCredentials({ baseUrl: payu.baseUrl, clientId: body.clientId, clientSecret: body.clientSecret });
        } catch (err) {
          return unreachable('PayU', err, caller.merchantId);
        }
        if (!verdict.ok) {
          throw new HttpError(422, 'invalid_credentials', `PayU refused this client id and secret (${verdict.reason}). Copy them from the POS's "OAuth protocol" keys in the PayU panel; nothing was saved`);
        }
        const account = await savePaymentAccount(db, box, {
          merchantId: caller.merchantId,
          provider: 'payu',
          kind: 'own_keys',
          externalRef: body.posId,
          credentials: { clientId: body.clientId, clientSecret: body.clientSecret, secondKey: body.secondKey.toLowerCase() },
          status: 'active',
          details: { keyHint: hint(body.clientId) },
        });
        await audit(db, caller, req, 'payment_account.connect', `payu:${body.posId}`);
        return { status: 200, body: { account: view(account), webhookUrl: webhookUrl(req, account) } };
      },
    }),
    disconnect('payu', 'PayU'),
  ];
}
