import type { Scenario } from '../scenario';

/**
 * A budget, in either language and any currency, is recorded and narrows what
 * is offered; a budget in another currency than the catalog's is never
 * compared as if it were in the catalog's.
 */
export const scenarios: Scenario[] = [
  {
    id: 'budget.en.tent-under-300',
    category: 'budget',
    language: 'en',
    turns: [{ customer: 'Do you have a tent under $300?', expect: { says: ['Trailblazer 2 Tent', '$249.00'], saysNot: ['$389.00'], handOff: null } }],
    end: { slots: { budget: '$300' } },
  },
  {
    id: 'budget.en.budget-after-the-need',
    category: 'budget',
    language: 'en',
    turns: [
      { customer: "I'm looking for camping gear", expect: { handOff: null } },
      { customer: 'My budget is $100', expect: { says: ['within your budget of $100.00', 'Beam 400 Headlamp', 'Trailfire Camp Stove'], saysNot: ['$149.00', '$249.00'] } },
    ],
    end: { slots: { budget: '$100' } },
  },
  {
    id: 'budget.en.nothing-within',
    category: 'budget',
    language: 'en',
    turns: [{ customer: 'Any tents for $100 or less?', expect: { says: ['Nothing we have is within $100.00', 'Trailblazer 2 Tent'], saysNot: ['$389.00'], handOff: null } }],
    end: { slots: { budget: '$100' } },
  },
  {
    id: 'budget.en.lira-budget-against-dollar-prices',
    category: 'budget',
    language: 'en',
    turns: [{ customer: 'Do you have tents under 2000 lira?', expect: { language: 'en', says: ['prices are in US dollars', 'Trailblazer 2 Tent'], handOff: null } }],
    end: { slots: { budget: '2000 TL' } },
  },
  {
    id: 'budget.en.euros-or-less',
    category: 'budget',
    language: 'en',
    turns: [{ customer: 'I need a headlamp, €80 or less', expect: { says: ['Beam 400 Headlamp', 'prices are in US dollars'], handOff: null } }],
    end: { slots: { budget: '€80' } },
  },
  {
    id: 'budget.tr.dolardan-ucuz-cadir',
    category: 'budget',
    language: 'tr',
    turns: [{ customer: '300 dolardan ucuz çadır var mı?', expect: { language: 'tr', says: ['Trailblazer 2 Tent', '$249,00'], saysNot: ['$389,00'], handOff: null } }],
    end: { slots: { budget: '$300' } },
  },
  {
    id: 'budget.tr.butcem-2-bin-lira',
    category: 'budget',
    language: 'tr',
    turns: [{ customer: 'Uyku tulumu arıyorum, bütçem 2 bin lira', expect: { language: 'tr', says: ['ABD doları', 'Nightfall -5°C Sleeping Bag'], handOff: null } }],
    end: { slots: { budget: '2000 TL' } },
  },
  {
    id: 'budget.tr.en-fazla-1500-tl',
    category: 'budget',
    language: 'tr',
    turns: [{ customer: 'Kafa lambası lazım, max 1.500 TL', expect: { language: 'tr', says: ['ABD doları', 'Beam 400 Headlamp'], handOff: null } }],
    end: { slots: { budget: '1.500 TL' } },
  },
  {
    id: 'budget.tr.ihtiyactan-sonra-butce',
    category: 'budget',
    language: 'tr',
    turns: [
      { customer: 'Kamp için malzeme arıyorum', expect: { language: 'tr', handOff: null } },
      { customer: 'Bütçem 100 dolar', expect: { language: 'tr', says: ['bütçenize uygun', 'Trailfire Camp Stove'], saysNot: ['$149,00', '$249,00', '$389,00'] } },
    ],
    end: { slots: { budget: '$100' } },
  },
];

export default scenarios;
