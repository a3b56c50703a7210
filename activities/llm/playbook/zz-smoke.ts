import { createPlaybookProvider } from './index';
import { agentContext } from './testing';
const p = createPlaybookProvider();
const msgs = process.argv.slice(2);
for (const m of msgs) {
  const d = await p.decide(agentContext(m));
  console.log('>>', m, '\n', d.intent, d.objection, d.language, d.sentiment, d.confidence, JSON.stringify(d.qualification), d.productsMentioned, JSON.stringify(d.actions), '\n  ', d.reply?.replace(/\n/g,'\n   '), '\n   [', d.summary, ']');
}
