import { hashPassword, verifyPassword } from '../api/auth/passwords';
import { demoMerchant } from '../db/demo-data';
import type { Db } from '../db/knex';
import { hasConversations } from '../db/queries/conversations';
import { conversationOrders } from '../db/queries/orders';
import { insertUser, setPasswordHash, userByEmail } from '../db/queries/users';

export const DEMO_OWNER_EMAIL = 'demo@autocloser.local';

/** The demo merchant's owner signs in with the password `npm start` prints. */
export async function ensureDemoOwner(db: Db, password: string): Promise<void> {
  const existing = await userByEmail(db, DEMO_OWNER_EMAIL);
  if (!existing) {
    await insertUser(db, { merchantId: demoMerchant.id, email: DEMO_OWNER_EMAIL, name: 'Demo Owner', role: 'owner', locale: 'en', passwordHash: await hashPassword(password) });
  } else if (!(await verifyPassword(existing.passwordHash, password))) {
    await setPasswordHash(db, existing.id, await hashPassword(password));
  }
}

/**
 * A few customers talking to the demo shop through the public web-chat API,
 * exactly as real visitors would, so the dashboard has something alive to
 * show: a browser, a price shopper, a buyer who paid, a buyer with an open
 * link, an unhappy customer waiting for a person, and a Turkish visitor.
 */
const scripts: { session: string; messages: string[]; pay?: boolean }[] = [
  { session: 'demo-browsing-0001', messages: ['Hi! Do you have any tents?'] },
  { session: 'demo-price-0002', messages: ['How much is the 2-person tent?', "Hmm, that's a bit expensive"] },
  { session: 'demo-paid-00003', messages: ['Hi, I need a sleeping bag for a hiking trip in October', "I'll take the sleeping bag, send me the link"], pay: true },
  { session: 'demo-checkout-04', messages: ['Can I buy the Trailblazer 2 tent?', 'Yes, I want to buy it now'] },
  { session: 'demo-unhappy-005', messages: ['My order never arrived and nobody answers, this is terrible!', 'I want to talk to a real person'] },
  { session: 'demo-turkce-0006', messages: ['Merhaba, kamp sandalyesi var mı?'] },
];

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Runs once per database: a merchant who already has conversations keeps them. */
export async function seedDemoConversations(db: Db, apiUrl: string, log: (line: string) => void): Promise<void> {
  if (await hasConversations(db, demoMerchant.id)) return;
  const base = `${apiUrl}/api/webchat/${demoMerchant.id}`;
  await Promise.all(
    scripts.map(async ({ session, messages, pay }) => {
      for (const [i, text] of messages.entries()) {
        await fetch(`${base}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: session, text, clientMessageId: `${session}-${i}` }) });
        // Like a person: wait for the answer before writing again.
        await waitFor(
          async () => (await (await fetch(`${base}/sessions/${session}/messages`)).json()) as { from: string }[],
          (t) => t.filter((m) => m.from !== 'customer').length > i,
        );
      }
      if (pay) {
        const order = await waitFor(
          async () => (await conversationOrders(db, demoMerchant.id, `lead:${demoMerchant.id}:webchat:${session}`))[0],
          Boolean,
        );
        if (order) await fetch(`${apiUrl}/pay/demo/${order.id}/pay`, { method: 'POST', redirect: 'manual' });
      }
    }),
  );
  log(`  demo data: ${scripts.length} conversations for the demo shop`);
}
