import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { tokenHash } from '../api/auth/tokens';
import { registerDevice } from '../db/queries/devices';
import { mailpitInbox, type MailpitMessage } from './support/mailpit-inbox';
import { suiteStack } from './support/stack';

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; role: string; emailVerified: boolean };
  merchant: { id: string; name: string };
}

describe('account email through a real Mailpit: invitations, password reset, verification', () => {
  // Every request here comes from one address; the limit itself is covered by the auth suite.
  const stack = suiteStack({ noWorker: true, mailpit: true, authRateLimitPerMinute: 1_000 });
  const inbox = () => mailpitInbox(stack.mailpit!.apiUrl);

  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.apiUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const email = (who = 'owner') => `${who}-${randomUUID().slice(0, 8)}@shop.example`;
  const PASSWORD = 'correct horse battery';
  const register = async (locale: 'en' | 'tr' = 'en') => {
    const res = await post('/auth/register', { businessName: 'Çınar Outdoor', name: 'Ayşe Yılmaz', email: email(), password: PASSWORD, locale });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as Session;
  };
  const login = (address: string, password: string) => post('/auth/login', { email: address, password });
  const refresh = (refreshToken: string) => post('/auth/refresh', { refreshToken });
  const RESET = /^(Reset your password|Şifrenizi sıfırlayın)$/;
  const VERIFY = /^(Confirm your email address|E-posta adresinizi doğrulayın)$/;
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  /** The one link to `path` in the mail: the same in the text and the HTML part, on the API's own origin. */
  function linkIn(message: MailpitMessage, path: string): { url: URL; token: string } {
    const pattern = new RegExp(`https?://[^\\s"<>]+${path.replaceAll('/', '\\/')}\\?token=[A-Za-z0-9_-]+`, 'g');
    const inText = [...new Set(message.Text.match(pattern) ?? [])];
    const inHtml = [...new Set(message.HTML.match(pattern) ?? [])];
    assert.equal(inText.length, 1, `one ${path} link in the text part:\n${message.Text}`);
    assert.deepEqual(inHtml, inText, 'the HTML part links to the same place');
    const url = new URL(inText[0]!);
    assert.equal(url.origin, new URL(stack.apiUrl).origin);
    return { url, token: url.searchParams.get('token')! };
  }

  function assertBothParts(message: MailpitMessage, language: 'en' | 'tr') {
    assert.ok(message.Text.trim().length > 50, 'a text part');
    assert.match(message.HTML, /^<!doctype html>/i, 'an HTML part');
    assert.match(message.HTML, new RegExp(`<html lang="${language}">`));
  }

  test('inviting a member mails them the link in the inviter\'s language; the link from the mail joins the team', async () => {
    const owner = await register('tr');
    const invitee = email('agent');
    const res = await post('/team/invites', { email: invitee, role: 'agent' }, { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { acceptUrl: string; emailed: boolean };
    assert.equal(created.emailed, true);

    const mail = await inbox().only(invitee);
    assertBothParts(mail, 'tr');
    assert.match(mail.Subject, /Çınar Outdoor/);
    assert.match(mail.Text, /Ayşe Yılmaz/);
    const { url, token } = linkIn(mail, '/app/accept-invite');
    assert.equal(url.href, created.acceptUrl, 'the mailed link is the one the admin can copy');

    const accepted = await post('/auth/invites/accept', { token, name: 'Mehmet', password: 'another horse battery' });
    assert.equal(accepted.status, 201, await accepted.clone().text());
    const session = (await accepted.json()) as Session;
    assert.equal(session.user.email, invitee);
    assert.equal(session.user.emailVerified, true, 'an invitation link proves the address');
  });

  test('password reset end to end: mail, new password, every old session and device signed out, the link works once', async () => {
    const owner = await register('en');
    const otherSignIn = (await (await login(owner.user.email, PASSWORD)).json()) as Session;
    await registerDevice(stack.db, { merchantId: owner.merchant.id, userId: owner.user.id, sessionId: null, platform: 'android', token: `fcm-${randomUUID()}`, label: 'Phone' });

    assert.equal((await post('/auth/password-reset', { email: owner.user.email.toUpperCase() })).status, 202);
    const mail = await inbox().only(owner.user.email, 5_000, RESET);
    assertBothParts(mail, 'en');
    assert.equal(mail.Subject, 'Reset your password');
    const { url, token } = linkIn(mail, '/app/reset-password');
    assert.equal(url.pathname, '/app/reset-password');
    const stored = await stack.db('auth_tokens').where({ userId: owner.user.id, purpose: 'password_reset' });
    assert.equal(stored.length, 1);
    assert.equal(stored[0].tokenHash, tokenHash(token), 'only the hash is stored');
    const minutes = (new Date(stored[0].expiresAt).getTime() - Date.now()) / 60_000;
    assert.ok(minutes > 55 && minutes <= 60, `expires in an hour, not ${minutes} minutes`);

    const weak = await post('/auth/password-reset/confirm', { token, password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(await errorCode(weak), 'invalid_request', 'the password rules of sign-up apply');

    assert.equal((await post('/auth/password-reset/confirm', { token, password: 'a brand new passphrase' })).status, 204);
    for (const old of [owner.refreshToken, otherSignIn.refreshToken]) assert.equal((await refresh(old)).status, 401, 'every earlier sign-in ended');
    assert.equal((await stack.db('devices').where({ userId: owner.user.id })).length, 0, 'their devices no longer get notifications');
    assert.equal((await login(owner.user.email, PASSWORD)).status, 401);
    const fresh = await login(owner.user.email, 'a brand new passphrase');
    assert.equal(fresh.status, 200);
    assert.equal(((await fresh.json()) as Session).user.emailVerified, true, 'a reset link proves the address too');

    const again = await post('/auth/password-reset/confirm', { token, password: 'yet another passphrase' });
    assert.equal(again.status, 400);
    assert.equal(await errorCode(again), 'invalid_token');
    assert.equal((await login(owner.user.email, 'a brand new passphrase')).status, 200, 'the second use changed nothing');
  });

  test('an expired reset link or a made-up token is refused and changes nothing', async () => {
    const owner = await register('en');
    assert.equal((await post('/auth/password-reset', { email: owner.user.email })).status, 202);
    const { token } = linkIn(await inbox().only(owner.user.email, 5_000, RESET), '/app/reset-password');
    // An hour has passed.
    await stack.db('auth_tokens').where({ tokenHash: tokenHash(token) }).update({ expiresAt: new Date(Date.now() - 1_000) });

    for (const t of [token, 'not-a-token', 'x'.repeat(43)]) {
      const res = await post('/auth/password-reset/confirm', { token: t, password: 'a brand new passphrase' });
      assert.equal(res.status, 400);
      assert.equal(await errorCode(res), 'invalid_token');
    }
    assert.equal((await refresh(owner.refreshToken)).status, 200, 'the session was not touched');
    assert.equal((await login(owner.user.email, PASSWORD)).status, 200);
  });

  test('a reset for an unknown email looks exactly like one for a known email, and sends nothing', async () => {
    // Made directly rather than signed up, so neither address has been seen by the rate limiter yet.
    const { email: knownEmail } = await stack.member(await stack.createMerchant());
    const unknown = email('nobody');
    const known = await post('/auth/password-reset', { email: knownEmail });
    const stranger = await post('/auth/password-reset', { email: unknown });
    assert.equal(stranger.status, known.status);
    assert.equal(known.status, 202);
    assert.equal(await stranger.text(), await known.text());
    // The whole API's per-address limit counts one more for the second request (and its window may tick over), whatever the email was.
    const headers = (res: Response) => [...res.headers].filter(([name]) => name !== 'date').map(([name, value]) => [name, value.replace(/"api";r=\d+;t=\d+/, '"api"')]);
    assert.deepEqual(headers(stranger), headers(known));

    await inbox().only(knownEmail, 5_000, RESET);
    // The known address's mail has arrived; the unknown one's would have been sent by now too.
    await sleep(300);
    assert.equal((await inbox().to(unknown)).length, 0);
  });

  test('sign-up mails a verification link in the chosen language; it verifies the address once; resend sends another', async () => {
    const owner = await register('tr');
    assert.equal(owner.user.emailVerified, false);
    const first = await inbox().only(owner.user.email, 5_000, VERIFY);
    assertBothParts(first, 'tr');
    assert.equal(first.Subject, 'E-posta adresinizi doğrulayın');
    const { token: firstToken } = linkIn(first, '/app/verify-email');

    const auth = { authorization: `Bearer ${owner.accessToken}` };
    assert.equal((await post('/auth/verify-email/resend', undefined, auth)).status, 202);
    const deadline = Date.now() + 5_000;
    while ((await inbox().to(owner.user.email)).length < 2 && Date.now() < deadline) await sleep(50);
    assert.equal((await inbox().to(owner.user.email)).length, 2, 'resend mailed a second link');

    assert.equal((await post('/auth/verify-email', { token: firstToken })).status, 204);
    const session = (await (await login(owner.user.email, PASSWORD)).json()) as Session;
    assert.equal(session.user.emailVerified, true);

    const again = await post('/auth/verify-email', { token: firstToken });
    assert.equal(again.status, 400);
    assert.equal(await errorCode(again), 'invalid_token');

    // Once verified, a resend is answered the same way but mails nothing.
    assert.equal((await post('/auth/verify-email/resend', undefined, auth)).status, 202);
    await sleep(300);
    assert.equal((await inbox().to(owner.user.email)).length, 2);
    assert.equal((await post('/auth/verify-email/resend')).status, 401, 'resend needs a signed-in member');
  });
});
