import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createAccessTokens } from '../api/auth/tokens';
import { TRUSTED_ORIGIN, suiteStack } from './support/stack';

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; role: string };
  merchant: { id: string; name: string };
}

describe('accounts: sign-up, sign-in, rotating refresh tokens, team roles', () => {
  const stack = suiteStack({ noWorker: true });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.apiUrl}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const get = (path: string, token?: string) => fetch(`${stack.apiUrl}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const email = () => `owner-${randomUUID().slice(0, 8)}@shop.example`;
  const register = async (overrides: Record<string, unknown> = {}) => {
    const res = await post('/auth/register', { businessName: 'Çınar Outdoor', name: 'Ayşe', email: email(), password: 'correct horse battery', ...overrides });
    assert.equal(res.status, 201, await res.clone().text());
    return { session: (await res.json()) as Session, cookie: res.headers.get('set-cookie') ?? '' };
  };
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: { path: string }[] } }).error;

  test('sign-up creates a merchant with a playbook and its owner; the password is stored as argon2id', async () => {
    const { session, cookie } = await register();
    assert.match(session.merchant.id, /^cinar-outdoor-[0-9a-f]{6}$/);
    assert.equal(session.user.role, 'owner');
    assert.match(cookie, /ac_refresh=[^;]+; Max-Age=\d+; Path=\/api\/v1\/auth; Expires=[^;]+; HttpOnly; SameSite=Strict/);
    const row = await stack.db('users').where({ id: session.user.id }).first();
    assert.match(row.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(await stack.db('playbooks').where({ merchant_id: session.merchant.id }).first());
    const me = (await (await get('/me', session.accessToken)).json()) as { user: { email: string }; merchant: { id: string } };
    assert.equal(me.merchant.id, session.merchant.id);
  });

  test('bad sign-ups are 400s naming each field; a taken email (any case) is a 409', async () => {
    const res = await post('/auth/register', { businessName: 'X', name: '', email: 'not-an-email', password: 'short' });
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.deepEqual(error.details!.map((d) => d.path).sort(), ['businessName', 'email', 'name', 'password']);
    assert.match(error.message, /password: must be at least 10 characters/);
    const { session } = await register();
    const again = await post('/auth/register', { businessName: 'Other', name: 'B', email: session.user.email.toUpperCase(), password: 'another long password' });
    assert.equal(again.status, 409);
    assert.equal(await stack.db('merchants').where({ name: 'Other' }).first(), undefined, 'nothing was created');
  });

  test('sign-in: right password works, wrong password and unknown email get the same 401', async () => {
    const { session } = await register();
    assert.equal((await post('/auth/login', { email: session.user.email, password: 'correct horse battery' })).status, 200);
    const wrong = await post('/auth/login', { email: session.user.email, password: 'wrong password!' });
    const unknown = await post('/auth/login', { email: email(), password: 'wrong password!' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal((await errorOf(wrong)).message, (await errorOf(unknown)).message);
  });

  test('refresh tokens rotate; presenting a used one ends the whole family', async () => {
    const { session } = await register();
    const first = await post('/auth/refresh', { refreshToken: session.refreshToken });
    assert.equal(first.status, 200);
    const second = (await first.json()) as Session;
    assert.notEqual(second.refreshToken, session.refreshToken);
    assert.equal((await get('/me', second.accessToken)).status, 200);

    // The first token again: someone else holds it, so both parties are signed out.
    const reused = await post('/auth/refresh', { refreshToken: session.refreshToken });
    assert.equal(reused.status, 401);
    assert.match((await errorOf(reused)).message, /already used/);
    assert.equal((await post('/auth/refresh', { refreshToken: second.refreshToken })).status, 401, 'the newest token of the family is revoked too');

    // Another sign-in of the same user is a different family and keeps working.
    const other = (await (await post('/auth/login', { email: session.user.email, password: 'correct horse battery' })).json()) as Session;
    assert.equal((await post('/auth/refresh', { refreshToken: other.refreshToken })).status, 200);
  });

  test('the browser refreshes with the HttpOnly cookie; logout ends the session', async () => {
    const { cookie } = await register();
    const pair = cookie.split(';')[0]!;
    const refreshed = await post('/auth/refresh', {}, { cookie: pair });
    assert.equal(refreshed.status, 200);
    const next = refreshed.headers.get('set-cookie')!.split(';')[0]!;
    assert.notEqual(next, pair);
    assert.equal((await post('/auth/logout', {}, { cookie: next })).status, 204);
    assert.equal((await post('/auth/refresh', {}, { cookie: next })).status, 401);
    assert.equal((await post('/auth/refresh', {})).status, 401);
  });

  test('access tokens: forged, expired or for a removed member are 401', async () => {
    const { session } = await register();
    const forged = await createAccessTokens('someone-elses-secret-that-is-long-enough').sign({ userId: session.user.id, merchantId: session.merchant.id, role: 'owner' });
    assert.equal((await get('/me', forged.token)).status, 401);
    const expired = await stack.tokens.sign({ userId: session.user.id, merchantId: session.merchant.id, role: 'owner' }, new Date(Date.now() - 3600_000));
    assert.equal((await get('/me', expired.token)).status, 401);
    assert.equal((await get('/me', 'not.a.jwt')).status, 401);
    assert.equal((await get('/me')).status, 401);
  });

  test('team: invites carry a role, roles are checked, a removed member is locked out at once, and it is all audited', async () => {
    const { session: owner } = await register();
    const invite = await post('/team/invites', { email: 'Agent@Shop.Example', role: 'agent' }, { authorization: `Bearer ${owner.accessToken}` });
    assert.equal(invite.status, 201, await invite.clone().text());
    const { acceptUrl } = (await invite.json()) as { acceptUrl: string };
    const token = new URL(acceptUrl).searchParams.get('token')!;
    const joined = await post('/auth/invites/accept', { token, name: 'Mehmet', password: 'agent password 1' });
    assert.equal(joined.status, 201);
    const agent = (await joined.json()) as Session;
    assert.equal(agent.user.role, 'agent');
    assert.equal(agent.user.email, 'agent@shop.example');
    assert.equal(agent.merchant.id, owner.merchant.id);
    assert.equal((await post('/auth/invites/accept', { token, name: 'Again', password: 'agent password 1' })).status, 404, 'an invite works once');

    const asAgent = { authorization: `Bearer ${agent.accessToken}` };
    assert.equal((await get('/conversations', agent.accessToken)).status, 200);
    const denied = await fetch(`${stack.apiUrl}/api/v1/playbook`, { method: 'PUT', headers: { 'content-type': 'application/json', ...asAgent }, body: '{}' });
    assert.equal(denied.status, 403);
    assert.match((await errorOf(denied)).message, /needs the admin role/);

    // An admin manages the team but cannot create owners.
    const admin = await stack.member(owner.merchant.id, 'admin');
    assert.equal((await post('/team/invites', { email: email(), role: 'owner' }, admin.headers)).status, 403);
    const promote = await fetch(`${stack.apiUrl}/api/v1/team/members/${agent.user.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', ...admin.headers }, body: JSON.stringify({ role: 'viewer' }) });
    assert.equal(promote.status, 200);
    assert.equal((await post(`/conversations/${encodeURIComponent('lead:x:webchat:y')}/takeover`, {}, asAgent)).status, 403, 'the new role applies to the token already issued');

    // The last owner cannot be removed or demoted.
    const demote = await fetch(`${stack.apiUrl}/api/v1/team/members/${owner.user.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` }, body: JSON.stringify({ role: 'admin' }) });
    assert.equal(demote.status, 409);

    const removed = await fetch(`${stack.apiUrl}/api/v1/team/members/${agent.user.id}`, { method: 'DELETE', headers: admin.headers });
    assert.equal(removed.status, 204);
    assert.equal((await get('/me', agent.accessToken)).status, 401);
    assert.equal((await post('/auth/refresh', { refreshToken: agent.refreshToken })).status, 401);

    const trail = (await (await get('/audit', owner.accessToken)).json()) as { items: { action: string; actor: string; target: string }[] };
    assert.deepEqual(trail.items.map((i) => i.action), ['team.removed', 'team.role_changed', 'team.invite']);
    assert.equal(trail.items.at(-1)!.actor, owner.user.email);
  });

  test('sign-in is rate limited per address and email', async () => {
    const target = email();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post('/auth/login', { email: target, password: 'guessing password' })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429);
    const limited = await post('/auth/login', { email: target, password: 'guessing password' });
    assert.equal((await errorOf(limited)).code, 'rate_limited');
    assert.ok(limited.headers.get('ratelimit-policy'));
    assert.equal((await post('/auth/login', { email: email(), password: 'guessing password' })).status, 401, 'another account is not locked by it');
  });

  test('secure headers everywhere; CORS only for configured origins', async () => {
    const res = await fetch(`${stack.apiUrl}/api/v1/me`, { headers: { origin: 'https://evil.example' } });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(res.headers.get('strict-transport-security')?.startsWith('max-age='), true);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const trusted = await fetch(`${stack.apiUrl}/api/v1/me`, { method: 'OPTIONS', headers: { origin: TRUSTED_ORIGIN, 'access-control-request-method': 'GET' } });
    assert.equal(trusted.headers.get('access-control-allow-origin'), TRUSTED_ORIGIN);
    assert.equal(trusted.headers.get('access-control-allow-credentials'), 'true');
  });
});
