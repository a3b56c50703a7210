import type { Db } from '../knex';

/** Where a line's hold on stock stands (see migration 015). */
export type Reservation = 'held' | 'released' | 'committed' | 'none';

/** A row of `order_items`: one line of an order, priced from the catalog when the order was made. */
export interface OrderItemRow {
  orderId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  /** unit price × quantity, before the order's discount. */
  lineAmountMinor: number;
  reservation: Reservation;
}

export type OrderLine = Omit<OrderItemRow, 'orderId' | 'reservation'>;

const items = (db: Db) => db<OrderItemRow>('order_items');

export async function listOrderItems(db: Db, orderId: string): Promise<OrderItemRow[]> {
  return items(db).where({ orderId }).orderBy('sku');
}

/**
 * Holds stock for every line of a new order, in the transaction that creates
 * the order: `insertOrder` writes the order row and reports whether it was new.
 * Each hold is one conditional update (`stock - reserved >= quantity`), so of
 * two customers after the last item one update matches and the other, waiting
 * on the row lock, finds nothing left. Lines are held in sku order, so two
 * orders for the same products never wait on each other in a cycle. When any
 * line is short the whole transaction is rolled back (no order, no holds) and
 * the short skus are returned. An order that already exists (a retried
 * attempt) holds nothing more.
 */
export async function createOrderHoldingStock(
  db: Db,
  order: { id: string; merchantId: string },
  lines: OrderLine[],
  insertOrder: (trx: Db) => Promise<boolean>,
): Promise<{ created: boolean; outOfStock: string[] }> {
  const sorted = [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  try {
    return await db.transaction(async (trx) => {
      // The order's primary key serialises retried attempts: a second insert waits for the first to commit, then finds it.
      if (!(await insertOrder(trx))) return { created: false, outOfStock: [] };
      const short: string[] = [];
      for (const line of sorted) {
        const held = await trx('products')
          .where({ merchantId: order.merchantId, sku: line.sku, active: true })
          .andWhereRaw('stock - reserved >= ?', [line.quantity])
          .increment('reserved', line.quantity);
        if (held === 0) short.push(line.sku);
      }
      if (short.length) throw new OutOfStock(short);
      await items(trx).insert(sorted.map((l) => ({ ...l, orderId: order.id, reservation: 'held' as const })));
      return { created: true, outOfStock: [] };
    });
  } catch (err) {
    if (err instanceof OutOfStock) return { created: false, outOfStock: err.skus };
    throw err;
  }
}

/** Thrown inside the transaction to roll it back; never leaves this module. */
class OutOfStock extends Error {
  constructor(readonly skus: string[]) {
    super(`out of stock: ${skus.join(', ')}`);
  }
}

/**
 * Gives back what an order held (its link expired or failed). Only lines
 * still `held` move, in the statement that marks them, so a retried call
 * gives nothing back twice.
 */
export async function releaseOrderStock(db: Db, orderId: string): Promise<number> {
  return db.transaction(async (trx) => {
    const released = await trx.raw<{ rows: { merchantId: string; sku: string; quantity: number }[] }>(
      `update order_items i set reservation = 'released'
         from orders o
        where i.order_id = ? and o.id = i.order_id and i.reservation = 'held'
       returning o.merchant_id, i.sku, i.quantity`,
      [orderId],
    );
    for (const line of released.rows) {
      await trx('products')
        .where({ merchantId: line.merchantId, sku: line.sku })
        .update({ reserved: trx.raw('greatest(reserved - ?, 0)', [line.quantity]) });
    }
    return released.rows.length;
  });
}

/**
 * Takes a paid order's lines off the shelf: a held line turns its hold into
 * a sale (stock and reserved both go down); a line whose hold was already
 * given back (paid after the link expired) comes off the stock directly,
 * never below zero. Lines are locked and marked `committed` in the same
 * transaction, so a retried call changes nothing.
 */
export async function commitOrderStock(db: Db, orderId: string): Promise<number> {
  return db.transaction(async (trx) => {
    const lines = await trx.raw<{ rows: { merchantId: string; sku: string; quantity: number; reservation: Reservation }[] }>(
      `select o.merchant_id, i.sku, i.quantity, i.reservation
         from order_items i join orders o on o.id = i.order_id
        where i.order_id = ? and i.reservation in ('held', 'released')
        order by i.sku
          for update of i`,
      [orderId],
    );
    for (const line of lines.rows) {
      await trx('products')
        .where({ merchantId: line.merchantId, sku: line.sku })
        .update({
          stock: trx.raw('greatest(stock - ?, 0)', [line.quantity]),
          ...(line.reservation === 'held' ? { reserved: trx.raw('greatest(reserved - ?, 0)', [line.quantity]) } : {}),
        });
    }
    if (lines.rows.length) await items(trx).where({ orderId }).whereIn('reservation', ['held', 'released']).update({ reservation: 'committed' });
    return lines.rows.length;
  });
}
