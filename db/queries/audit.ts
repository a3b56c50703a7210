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

interface AuditRow {
  id: number;
  merchantId: string;
  userId: string | null;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  createdAt: Date;
}

export interface AuditTrailItem {
  id: number;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  at: string;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    merchantId: e.merchantId,
    userId: e.userId,
    actor: e.actor,
    action: e.action,
    target: e.target ?? null,
    details: JSON.stringify(e.details ?? {}),
    ip: e.ip ?? null,
  });
}

export async function auditTrail(db: Db, merchantId: string, opts: { limit: number; before?: number }): Promise<AuditTrailItem[]> {
  const q = db<AuditRow>('audit_log').where({ merchantId });
  if (opts.before) q.andWhere('id', '<', opts.before);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit);
  return rows.map((r) => ({ id: r.id, actor: r.actor, action: r.action, target: r.target, details: r.details, ip: r.ip, at: r.createdAt.toISOString() }));
}
