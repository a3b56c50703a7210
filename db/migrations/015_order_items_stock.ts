import type { Knex } from 'knex';

/**
 * Orders with several lines, stock held for an open checkout, and the address
 * a checkout collected for shipping.
 *
 * - `order_items`: one row per line, priced from the catalog when the order
 *   was made (`line_amount_minor` = unit price × quantity; the order's amount
 *   is their sum with the agreed discount taken off). `reservation` is the line's hold on stock: `held` while the link
 *   is open, `released` when it expired or failed, `committed` once paid (the
 *   stock was taken off), `none` for lines of orders made before holds
 *   existed (backfilled below; their stock was never held).
 * - `products.reserved`: the sum of held lines, so available = stock − reserved
 *   can be checked and changed in one conditional update.
 * - `orders.shipping_address_sealed`: customer data, sealed with the
 *   credential box like phone numbers; never stored in the clear.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table products add column reserved integer not null default 0 check (reserved >= 0)');
  await knex.schema.createTable('order_items', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.string('sku', 64).notNullable();
    t.string('name', 200).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_minor').notNullable();
    t.bigInteger('line_amount_minor').notNullable();
    t.string('reservation', 16).notNullable().defaultTo('held');
    t.primary(['order_id', 'sku']);
  });
  await knex.raw(`alter table order_items add constraint order_items_quantity_check check (quantity between 1 and 100)`);
  await knex.raw(`alter table order_items add constraint order_items_reservation_check check (reservation in ('held', 'released', 'committed', 'none'))`);
  // Earlier orders had one line. The catalog's current price stands in for the unit price (the order's own amount
  // has any discount taken off); without the product, the amount divided by the quantity.
  await knex.raw(`
    insert into order_items (order_id, sku, name, quantity, unit_price_minor, line_amount_minor, reservation)
    select id, sku, name, quantity, unit, unit * quantity, 'none'
      from (select o.id, o.sku, coalesce(p.name, o.sku) as name, o.quantity,
                   coalesce(p.price_minor, o.amount_minor / o.quantity) as unit
              from orders o left join products p on p.merchant_id = o.merchant_id and p.sku = o.sku
             where o.quantity between 1 and 100) earlier`);
  await knex.raw('alter table orders add column shipping_address_sealed text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table orders drop column shipping_address_sealed');
  await knex.schema.dropTable('order_items');
  await knex.raw('alter table products drop column reserved');
}
