import type { Db } from '../knex';

import { TemplatePurposes, type TemplatePurpose } from '../../domain/templates';

export { TemplatePurposes, type TemplatePurpose };

export interface Template {
  id: string;
  merchantId: string;
  provider: 'twilio' | 'meta';
  name: string;
  language: string;
  category: 'utility' | 'marketing' | 'authentication';
  purpose: TemplatePurpose | null;
  body: string;
  components: unknown[];
  variableCount: number;
  providerId: string | null;
  status: 'draft' | 'pending' | 'approved' | 'rejected' | 'paused';
  updatedAt: string;
}

/** A row of `templates`: a WhatsApp template as last synced from (or saved for) its provider. */
interface TemplateRow extends Omit<Template, 'updatedAt'> {
  syncedAt: Date | null;
  updatedAt: Date;
}

const toTemplate = ({ syncedAt: _synced, ...r }: TemplateRow): Template => ({ ...r, updatedAt: r.updatedAt.toISOString() });

const templates = (db: Db) => db<TemplateRow>('templates');

export async function listTemplates(db: Db, merchantId: string): Promise<Template[]> {
  return (await templates(db).where({ merchantId }).orderBy(['name', 'language'])).map(toTemplate);
}

export type TemplateInput = Omit<Template, 'id' | 'merchantId' | 'updatedAt'>;

export async function upsertTemplate(db: Db, merchantId: string, t: TemplateInput): Promise<Template> {
  const values = {
    category: t.category,
    purpose: t.purpose,
    body: t.body,
    components: JSON.stringify(t.components),
    variableCount: t.variableCount,
    providerId: t.providerId,
    status: t.status,
    updatedAt: db.fn.now(),
  };
  const [row] = (await db('templates')
    .insert({ merchantId, provider: t.provider, name: t.name, language: t.language, ...values })
    .onConflict(['merchantId', 'provider', 'name', 'language'])
    .merge(values)
    .returning('*')) as TemplateRow[];
  return toTemplate(row!);
}

/**
 * The approved template for a purpose, preferring the conversation's
 * language, then any language: outside the window a message in the
 * wrong language beats no message.
 */
export async function templateFor(
  db: Db,
  q: { merchantId: string; provider: 'twilio' | 'meta'; purpose: TemplatePurpose; language: string },
): Promise<Template | null> {
  const rows = await templates(db).where({ merchantId: q.merchantId, provider: q.provider, purpose: q.purpose, status: 'approved' });
  const all = rows.map(toTemplate);
  return all.find((t) => t.language.startsWith(q.language)) ?? all[0] ?? null;
}

/** Fills {{1}}, {{2}}, … for the transcript's copy of what the customer received. */
export function renderTemplate(body: string, variables: string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (_m, n: string) => variables[Number(n) - 1] ?? '');
}
