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

const toTemplate = (r: Record<string, unknown>): Template => ({
  id: r.id as string,
  merchantId: r.merchant_id as string,
  provider: r.provider as Template['provider'],
  name: r.name as string,
  language: r.language as string,
  category: r.category as Template['category'],
  purpose: (r.purpose as TemplatePurpose | null) ?? null,
  body: r.body as string,
  components: r.components as unknown[],
  variableCount: r.variable_count as number,
  providerId: (r.provider_id as string | null) ?? null,
  status: r.status as Template['status'],
  updatedAt: new Date(r.updated_at as string).toISOString(),
});

export async function listTemplates(db: Db, merchantId: string): Promise<Template[]> {
  return (await db('templates').where({ merchant_id: merchantId }).orderBy(['name', 'language'])).map(toTemplate);
}

export type TemplateInput = Omit<Template, 'id' | 'merchantId' | 'updatedAt'>;

export async function upsertTemplate(db: Db, merchantId: string, t: TemplateInput): Promise<Template> {
  const values = {
    category: t.category,
    purpose: t.purpose,
    body: t.body,
    components: JSON.stringify(t.components),
    variable_count: t.variableCount,
    provider_id: t.providerId,
    status: t.status,
    updated_at: db.fn.now(),
  };
  const [row] = await db('templates')
    .insert({ merchant_id: merchantId, provider: t.provider, name: t.name, language: t.language, ...values })
    .onConflict(['merchant_id', 'provider', 'name', 'language'])
    .merge(values)
    .returning('*');
  return toTemplate(row);
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
  const rows = await db('templates').where({ merchant_id: q.merchantId, provider: q.provider, purpose: q.purpose, status: 'approved' });
  const all = rows.map(toTemplate);
  return all.find((t) => t.language.startsWith(q.language)) ?? all[0] ?? null;
}

/** Fills {{1}}, {{2}}, … for the transcript's copy of what the customer received. */
export function renderTemplate(body: string, variables: string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (_m, n: string) => variables[Number(n) - 1] ?? '');
}
