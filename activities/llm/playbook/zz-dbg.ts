import { createPlaybookProvider } from './index';
import { agentContext } from './testing';
const p = createPlaybookProvider();
const inputs = [
  'a'.repeat(4000), ' '.repeat(4000) + 'x', ', '.repeat(2000) + 'x', 'I need '.repeat(500), 'for my '.repeat(500), '1'.repeat(4000),
  '$1,'.repeat(1000), 'bütçem '.repeat(500) + '5', 'in a '.repeat(800), 'çadır arıyorum '.repeat(250), 'hi '.repeat(1300), 'I need a tent, '.repeat(250) + '!',
  'x2 '.repeat(1300), 'by the end of the '.repeat(200), 'ı'.repeat(4000),
];
for (const text of inputs) {
  const t = Date.now();
  const d = await p.decide(agentContext(text));
  const ms = Date.now() - t;
  console.log(ms, JSON.stringify(text.slice(0, 20)), d.intent, JSON.stringify(d.qualification).slice(0, 80));
}
