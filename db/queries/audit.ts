import type { Db } from '../knex';

export interface AuditEntry {
  merchantId: string;
  userId: string | null;
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    merchant_id: e.merchantId,
    user_id: e.userId,
    actor: e.actor,
    action: e.action,
    target: e.target ?? null,
    details: JSON.stringify(e.details ?? {}),
    ip: e.ip ?? null,
  });
}

export async function auditTrail(db: Db, merchantId: string, opts: { limit: number; before?: number }) {
  const q = db('audit_log').where({ merchant_id: merchantId });
  if (opts.before) q.andWhere('id', '<', opts.before);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit);
  return rows.map((r) => ({
    id: Number(r.id),
    actor: r.actor as string,
    action: r.action as string,
    target: r.target as string | null,
    details: r.details as Record<string, unknown>,
    ip: r.ip as string | null,
    at: new Date(r.created_at).toISOString(),
  }));
}
