import { z } from 'zod';
import { auditTrail } from '../../../db/queries/audit';
import { createInvite, deleteInvite, openInvites, pendingInvite } from '../../../db/queries/invites';
import { merchantName } from '../../../db/queries/merchants';
import { listNotifications, markNotificationRead } from '../../../db/queries/notifications';
import { memberOf, membersOf, otherOwners, removeMember, setRole, userByEmail, userById } from '../../../db/queries/users';
import { Roles, type Caller, type Role } from '../../../domain/roles';
import { accountMail } from '../../auth/mail';
import { Email } from '../../auth/routes';
import { newOpaqueToken, tokenHash } from '../../auth/tokens';
import { HttpError, notFound } from '../../errors';
import { audit, originOf, type MerchantApiDeps } from '../deps';
import { route, type RouteSpec } from '../route';

const INVITE_TTL_MS = 7 * 24 * 3600_000;
const RoleSchema = z.enum(Roles);
const Member = z.object({ id: z.string(), email: z.string(), name: z.string(), role: RoleSchema, createdAt: z.string(), lastLoginAt: z.string().nullable() });
const Invite = z.object({ id: z.string(), email: z.string(), role: RoleSchema, expiresAt: z.string(), createdAt: z.string() });

/** Only an owner hands out or takes away ownership, and every merchant keeps at least one owner. */
function mayManage(caller: Caller, role: Role): void {
  if (role === 'owner' && caller.role !== 'owner') throw new HttpError(403, 'forbidden', 'Only an owner can make, change or remove owners');
}

/** The signed-in member, the team, invites and the audit trail. */
export function teamRoutes(deps: MerchantApiDeps): RouteSpec[] {
  const { db } = deps;
  const mail = accountMail(deps);

  const memberOr404 = async (merchantId: string, userId: string) => {
    const row = z.uuid().safeParse(userId).success ? await memberOf(db, merchantId, userId) : null;
    if (!row) throw notFound(`team member "${userId}"`);
    return row;
  };
  const keepsAnOwner = async (merchantId: string, userId: string) => {
    if ((await otherOwners(db, merchantId, userId)) === 0) throw new HttpError(409, 'conflict', 'A merchant needs at least one owner; make someone else owner first');
  };

  return [
    route({
      method: 'get', path: '/me', tag: 'team', access: 'viewer', summary: 'Who is signed in, and for which merchant',
      responses: {
        200: z.object({
          user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: RoleSchema, locale: z.string(), emailVerified: z.boolean() }),
          merchant: z.object({ id: z.string(), name: z.string() }),
        }),
      },
      async handle({ caller }) {
        const [user, merchant] = await Promise.all([
          userById(db, caller.userId),
          merchantName(db, caller.merchantId),
        ]);
        // Removed between authentication and this read.
        if (!user) throw new HttpError(401, 'unauthorized', 'This account no longer exists');
        const { id, email, name, role, locale, emailVerifiedAt } = user;
        return { status: 200, body: { user: { id, email, name, role, locale, emailVerified: emailVerifiedAt !== null }, merchant } };
      },
    }),
    route({
      method: 'get', path: '/team', tag: 'team', access: 'viewer', summary: 'Members and open invites',
      responses: { 200: z.object({ members: z.array(Member), invites: z.array(Invite) }) },
      async handle({ caller }) {
        const [members, invites] = await Promise.all([
          membersOf(db, caller.merchantId),
          openInvites(db, caller.merchantId),
        ]);
        return {
          status: 200,
          body: {
            members: members.map(({ id, email, name, role, createdAt, lastLoginAt }) => ({ id, email, name, role, createdAt, lastLoginAt })),
            invites,
          },
        };
      },
    }),
    route({
      method: 'post', path: '/team/invites', tag: 'team', access: 'admin',
      summary: 'Invite someone by email: the invitation is mailed to them when email is on, and the answer carries its link (valid 7 days) to share another way',
      body: z.strictObject({ email: Email, role: RoleSchema }),
      example: { email: 'mehmet@acme.example', role: 'agent' },
      responses: {
        201: z.object({ invite: Invite, acceptUrl: z.string(), emailed: z.boolean().describe('Whether the invitation mail went out; when false, share acceptUrl yourself') }),
        409: 'Someone with this email already has an account',
      },
      async handle({ caller, body, req }) {
        mayManage(caller, body.role);
        if (await userByEmail(db, body.email)) throw new HttpError(409, 'conflict', `${body.email} already has an account`);
        const token = newOpaqueToken();
        const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
        const invite = await createInvite(db, { merchantId: caller.merchantId, email: body.email, role: body.role, tokenHash: tokenHash(token), invitedBy: caller.userId, expiresAt });
        await audit(db, caller, req, 'team.invite', body.email, { role: body.role });
        const acceptUrl = `${originOf(deps, req)}/app/accept-invite?token=${token}`;
        // A mail that does not go out leaves the invite in place: the admin still has the link.
        const merchant = await merchantName(db, caller.merchantId);
        const emailed = await mail.invitation({ merchantId: caller.merchantId, merchantName: merchant?.name ?? caller.merchantId, inviterId: caller.userId, email: body.email, role: body.role, acceptUrl, expiresAt });
        return { status: 201, body: { invite, acceptUrl, emailed } };
      },
    }),
    route({
      method: 'delete', path: '/team/invites/:inviteId', tag: 'team', access: 'admin', summary: 'Withdraw an invite',
      responses: { 204: null },
      async handle({ caller, params, req }) {
        const id = params.inviteId!;
        const row = z.uuid().safeParse(id).success ? await pendingInvite(db, caller.merchantId, id) : null;
        if (!row) throw notFound(`invite "${id}"`);
        mayManage(caller, row.role);
        await deleteInvite(db, id);
        await audit(db, caller, req, 'team.invite_withdrawn', row.email);
        return { status: 204 };
      },
    }),
    route({
      method: 'patch', path: '/team/members/:userId', tag: 'team', access: 'admin', summary: "Change a member's role",
      body: z.strictObject({ role: RoleSchema }), example: { role: 'viewer' },
      responses: { 200: Member.pick({ id: true, email: true, role: true }), 409: 'It would leave the merchant without an owner' },
      async handle({ caller, params, body, req }) {
        const member = await memberOr404(caller.merchantId, params.userId!);
        mayManage(caller, member.role);
        mayManage(caller, body.role);
        if (member.role === 'owner' && body.role !== 'owner') await keepsAnOwner(caller.merchantId, member.id);
        await setRole(db, member.id, body.role);
        await audit(db, caller, req, 'team.role_changed', member.email, { from: member.role, to: body.role });
        return { status: 200, body: { id: member.id, email: member.email, role: body.role } };
      },
    }),
    route({
      method: 'delete', path: '/team/members/:userId', tag: 'team', access: 'admin', summary: 'Remove a member; their sessions end at once',
      responses: { 204: null, 409: 'It would leave the merchant without an owner' },
      async handle({ caller, params, req }) {
        const member = await memberOr404(caller.merchantId, params.userId!);
        mayManage(caller, member.role);
        if (member.role === 'owner') await keepsAnOwner(caller.merchantId, member.id);
        await removeMember(db, member.id);
        await audit(db, caller, req, 'team.removed', member.email, { role: member.role });
        return { status: 204 };
      },
    }),
    route({
      method: 'get', path: '/audit', tag: 'team', access: 'admin', summary: 'Who did what: takeovers, refunds, settings and team changes',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.coerce.number().int().positive().optional() }),
      responses: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.number(), actor: z.string(), action: z.string(), target: z.string().nullable(),
              details: z.record(z.string(), z.json()).describe('What the action changed; its keys depend on the action'),
              ip: z.string().nullable(), at: z.string(),
            }),
          ),
        }),
      },
      async handle({ caller, query }) {
        return { status: 200, body: { items: await auditTrail(db, caller.merchantId, query) } };
      },
    }),
    route({
      method: 'get', path: '/notifications', tag: 'team', access: 'viewer', summary: 'Hand-offs, payments and delivery problems, newest first',
      query: z.strictObject({ unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: {
        200: z.object({
          items: z.array(z.object({ id: z.number(), kind: z.string(), conversationId: z.string().nullable(), body: z.json().describe('What happened; its fields depend on kind'), createdAt: z.string(), readAt: z.string().nullable() })),
          unread: z.number(),
        }),
      },
      async handle({ caller, query }) {
        return { status: 200, body: await listNotifications(db, caller.merchantId, { unreadOnly: query.unread, limit: query.limit }) };
      },
    }),
    route({
      method: 'post', path: '/notifications/:notificationId/read', tag: 'team', access: 'viewer', summary: 'Mark a notification read',
      responses: { 204: null },
      async handle({ caller, params }) {
        const id = Number(params.notificationId);
        const marked = Number.isSafeInteger(id) && (await markNotificationRead(db, caller.merchantId, id));
        if (!marked) throw notFound(`notification "${params.notificationId}"`);
        return { status: 204 };
      },
    }),
  ];
}
