import knex, { type Knex } from 'knex';
import pg from 'pg';

// BIGINT columns hold money in minor units and counts; they fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export type Db = Knex;

/**
 * Columns are snake_case in Postgres and camelCase in TypeScript. The knex
 * instance converts both ways, once, here: identifiers written by the query
 * builder (columns, keys of insert/update/where objects, aliases) go out
 * snake_case, and the top-level keys of every result row come back camelCase.
 * Values are never touched, so JSON columns keep their keys as stored.
 * Both directions are idempotent on names already in the target case, so
 * `where({ merchant_id })` and `where({ merchantId })` mean the same. Raw
 * SQL (`db.raw`, `whereRaw`) is passed through as written, so it names
 * columns as Postgres does (snake_case); its result rows still come back camelCase.
 */
const toSnake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (name: string): string => name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function camelRow(row: unknown): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row) || Object.getPrototypeOf(row) !== Object.prototype) return row;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[toCamel(key)] = value;
  return out;
}

const isPgResult = (r: unknown): r is pg.QueryResult => typeof r === 'object' && r !== null && Array.isArray((r as pg.QueryResult).rows) && typeof (r as pg.QueryResult).command === 'string';

/**
 * Query builder results are a row array (select, returning), one row (first),
 * a count (update, delete) or plucked values; `db.raw` gives the driver's
 * result, whose `rows` are converted and everything else left as it is.
 */
function camelResponse(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(camelRow);
  if (isPgResult(result)) return Object.assign(result, { rows: result.rows.map(camelRow) });
  return camelRow(result);
}

export function createDb(url: string, pool: { min?: number; max?: number } = {}): Db {
  return knex({
    client: 'pg',
    connection: url,
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    wrapIdentifier: (value, origImpl) => origImpl(toSnake(value)),
    postProcessResponse: camelResponse,
  });
}

/**
 * A connection to the same database without the case conversion, for the
 * migrator, whose bookkeeping reads its own tables by their snake_case names.
 */
export function createPlainDb(db: Db): Db {
  const { wrapIdentifier: _w, postProcessResponse: _p, ...config } = db.client.config as Knex.Config;
  return knex({ ...config, pool: { min: 0, max: 1 } });
}

/** Readiness: the database answers. */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}
