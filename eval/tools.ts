/**
 * The demo shop's catalog and knowledge for the evaluation: in Postgres (the
 * search the product uses) or in memory (no database needed, for a quick run
 * against a real model).
 */
import { demoCatalog, demoKnowledge, demoMerchant, demoPlaybook } from '../db/demo-data';
import type { Db } from '../db/knex';
import { createDbCatalog, upsertProducts } from '../db/queries/catalog';
import { createDbKnowledge, seedKnowledge } from '../db/queries/knowledge';
import { upsertMerchant } from '../db/queries/merchants';
import { memoryCatalog, memoryKnowledge } from '../integrations/llm/playbook/testing';
import type { EvalTools } from './run';

/** A merchant of its own with the demo shop's data, so other users of the database never change what is evaluated. */
export async function seedEvalMerchant(db: Db, merchantId: string): Promise<EvalTools> {
  await upsertMerchant(db, { id: merchantId, name: demoMerchant.name }, demoPlaybook);
  await upsertProducts(db, merchantId, demoCatalog);
  await seedKnowledge(db, merchantId, demoKnowledge);
  return { catalog: createDbCatalog(db, merchantId), knowledge: createDbKnowledge(db, merchantId) };
}

export function memoryTools(): EvalTools {
  return { catalog: memoryCatalog(demoCatalog), knowledge: memoryKnowledge(demoKnowledge) };
}
