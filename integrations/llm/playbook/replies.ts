import type { Product } from '../../../domain/catalog';
import { orderLabel, type PendingPayment } from '../../../domain/conversation';
import type { Language } from '../../../domain/language';
import { formatMoney, multiply } from '../../../domain/money';
import type { Playbook } from '../../../domain/playbook';

type Tone = Playbook['tone'];

/** What a pending payment is for: "2 × Trail tent", or every line of an order with several. */
const ordered = (pending: PendingPayment) => (pending.items && pending.items.length > 1 ? orderLabel(pending) : `${pending.quantity} × ${pending.name}`);

export const price = (p: Product, lang: Language) => formatMoney({ amountMinor: p.priceMinor, currency: p.currency }, lang);

/** Everything the playbook agent says that is not the merchant's own text, in each language it speaks. */
export interface Replies {
  firstHello(business: string): string;
  hello: string;
  welcomeBack: string;
  stock(p: Product): string;
  productLine(p: Product): string;
  productDetail(p: Product): string;
  priceOf(p: Product): string;
  listIntro: string;
  noMatch: string;
  tellMeMore: string;
  whichProduct: string;
  whichOne(products: Product[]): string;
  moreDetails: string;
  wantToOrder: string;
  outOfStock(p: Product): string;
  insteadMaybe(alternatives: Product[]): string;
  cheaperOption(alternatives: Product[]): string;
  offer(p: Product, quantity: number, tone: Tone): string;
  notEnoughStock(p: Product, quantity: number): string;
  linkAgain(pending: PendingPayment): string;
  handOff(business: string): string;
  /** A question the merchant's knowledge does not answer: a person answers it rather than the agent guessing a policy. */
  unanswered: string;
  /** After the sale (an order, a delivery, a refund): a person with the order system takes it. */
  supportHandOff: string;
  slotsNoted(tone: Tone): string;
  suggestions: string;
  nextStep: string;
  thanks(tone: Tone): string;
  goodbye(business: string): string;
  offTopic(business: string): string;
  aboutBot(business: string): string;
  /** A clarifying question: what a message we did not understand gets the first time. */
  unknown: string;
  /** Said (and replaced by the hand-off message) when the clarifying question did not help either. */
  stillUnclear: string;
  sorry: string;
  offerPerson: string;
  /** The customer wrote in a language the merchant does not serve (`other`, ISO 639-1): which ones we do. */
  languageNote(served: Language[], other: string | null): string;
  /** Asked instead of guessing when a message in another language could not be understood. */
  writeIn(served: Language[]): string;
  languageHandOff(business: string): string;
  /** The customer turned these down. */
  leaveOut(products: Product[]): string;
  otherOptions: string;
  noOtherOptions: string;
  withinBudget(budget: string): string;
  overBudget(p: Product, budget: string): string;
  nothingInBudget(budget: string): string;
  /** A budget in another currency than the catalog's (`currency`, ISO 4217). */
  pricesIn(currency: string): string;
  /** What the shop sells, before a few of its products. */
  overviewIntro(categories: string[]): string;
  overviewQuestion: string;
  /** The question in `notEnoughStock`: a yes to it is an order of that many. */
  makeIt(quantity: number): string;
  /** "Ok", "thanks" after a payment link: the link stands, no second one. */
  afterLink(pending: PendingPayment, thanked: boolean): string;
  /** Anything short after a person was brought in. */
  afterHandOff: string;
  /** A yes that answered no particular question. */
  okay: string;
  /** A no to our question. */
  noProblem: string;
  anythingElse: string;
}

/** Names from Intl, so whatever language a customer writes in can be named; Turkish's ("Almanca") also read as "in German". */
const languageName = (code: string, lang: Language) => new Intl.DisplayNames([lang], { type: 'language' }).of(code) ?? code;
const currencyName = (code: string, lang: Language) => {
  const name = new Intl.DisplayNames([lang], { type: 'currency' }).of(code) ?? code;
  return lang === 'en' ? `${name.replace(/^US Dollar$/, 'US dollars').replace(/^Euro$/, 'euros')} (${code})` : `${name} (${code})`;
};

/** A business name may end in a full stop ("Demo Outdoor Co."); don't add a second one. */
const sentence = (text: string) => (text.endsWith('.') ? text : `${text}.`);

/** "Hiking Boots are", "Rain Jacket is": good enough for product names. */
const isPlural = (name: string) => /[^s]s$/i.test(name);

/** "a, b and c" in the reply language. */
const and = (items: string[], word: string) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`);

const list = (products: Product[], line: (p: Product) => string) => products.map((p) => `• ${line(p)}`).join('\n');

/** Expiry in UTC so the text never depends on the machine's time zone. */
function expiry(iso: string, lang: Language): string | null {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  return new Intl.DateTimeFormat(lang === 'tr' ? 'tr-TR' : 'en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(at) + ' UTC';
}

const en: Replies = {
  firstHello: (business) => `Hi, and welcome to ${business}!`,
  hello: 'Hi!',
  welcomeBack: 'Hi again! How can I help you today?',
  stock: (p) => (p.stock === 0 ? "It's out of stock right now." : p.stock <= 5 ? `Only ${p.stock} left in stock.` : 'In stock.'),
  productLine: (p) => `${p.name}: ${price(p, 'en')}${p.stock === 0 ? ' (out of stock)' : p.stock <= 5 ? ` (only ${p.stock} left)` : ''}`,
  productDetail: (p) => `${p.name} (${price(p, 'en')})${p.description ? `: ${p.description}` : '.'} ${en.stock(p)}`,
  priceOf: (p) => {
    const [is, it] = isPlural(p.name) ? ['are', 'they are'] : ['is', 'it is'];
    return p.stock === 0
      ? `The ${p.name} ${is} ${price(p, 'en')}, but ${it} out of stock right now.`
      : `The ${p.name} ${is} ${price(p, 'en')}, and ${p.stock <= 5 ? `we have only ${p.stock} left` : `${it} in stock`}.`;
  },
  listIntro: "Here's what we have:",
  noMatch: "I couldn't find that in our catalog, I'm afraid.",
  tellMeMore: 'Could you tell me a bit more about what you are looking for?',
  whichProduct: 'Which product are you interested in?',
  whichOne: (products) => `Which one would you like: ${products.map((p) => p.name).join(' or ')}?`,
  moreDetails: 'Would you like more details on any of them?',
  wantToOrder: 'Would you like to order it?',
  outOfStock: (p) => `I'm sorry, the ${p.name} ${isPlural(p.name) ? 'are' : 'is'} out of stock right now.`,
  insteadMaybe: (alts) => `You might like ${alts.map((p) => `the ${p.name} (${price(p, 'en')})`).join(' or ')} instead.`,
  cheaperOption: (alts) => `If you'd like something more affordable, ${alts.map((p) => `the ${p.name} is ${price(p, 'en')}`).join(' and ')}.`,
  offer: (p, quantity, tone) => {
    const total = formatMoney(multiply({ amountMinor: p.priceMinor, currency: p.currency }, quantity), 'en');
    const opener = tone === 'friendly' ? 'Great choice! ' : tone === 'formal' ? 'Certainly. ' : '';
    return `${opener}I'm preparing a secure payment link for ${quantity} × ${p.name} (total ${total}). You'll receive it in a moment.`;
  },
  notEnoughStock: (p, quantity) => `We only have ${p.stock} of the ${p.name} in stock, so I can't do ${quantity} right now. ${en.makeIt(p.stock)}`,
  makeIt: (quantity) => `Shall I make it ${quantity}?`,
  linkAgain: (pending) => {
    const amount = formatMoney({ amountMinor: pending.amountMinor, currency: pending.currency }, 'en');
    const until = expiry(pending.expiresAt, 'en');
    return `Here's your payment link for ${ordered(pending)} (total ${amount}): ${pending.url}${until ? `\nIt's valid until ${until}.` : ''}`;
  },
  handOff: (business) => `Of course! I'm bringing in someone from the ${business} team. They'll join this chat shortly.`,
  unanswered: "Good question! I'd rather not guess on that one, so let me get a colleague who knows for sure. They'll reply in this chat shortly.",
  slotsNoted: (tone) => (tone === 'formal' ? 'Thank you, noted.' : tone === 'concise' ? 'Noted.' : 'Thanks, that helps!'),
  suggestions: 'Based on what you told me, these could be a great fit:',
  nextStep: 'Would you like me to suggest a few options?',
  thanks: (tone) => (tone === 'concise' ? 'You are welcome. Anything else?' : "You're welcome! Is there anything else I can help you with?"),
  goodbye: (business) => `Thanks for chatting with ${sentence(business)} Have a great day!`,
  offTopic: (business) => `I'm best at helping with ${business} products. Is there anything you're looking for?`,
  aboutBot: (business) =>
    `I'm the virtual sales assistant of ${sentence(business)} I can help with products, prices and orders, and bring in a person from our team any time you like.`,
  unknown: "Sorry, I didn't quite catch that. Are you looking for a particular product, or shall I show you what we sell?",
  stillUnclear: "I'm sorry, I'm still not sure what you mean, so let me bring in a colleague. They'll reply in this chat shortly.",
  overviewIntro: (categories) => (categories.length ? `We sell ${and(categories, 'and')}. A few of our favourites:` : 'Here are a few of our products:'),
  overviewQuestion: 'Would you like to know more about any of these, or are you looking for something else?',
  afterLink: (pending, thanked) => {
    const until = expiry(pending.expiresAt, 'en');
    return `${thanked ? "You're welcome!" : 'Great!'} Your payment link for ${pending.quantity} × ${pending.name} is in my message above${until ? ` and valid until ${until}` : ''}. Just ask if anything comes up.`;
  },
  afterHandOff: 'Thanks! A colleague will reply here shortly.',
  okay: 'Great!',
  noProblem: 'No problem!',
  anythingElse: 'Is there anything else I can help you with?',
  sorry: "I'm really sorry for the frustration.",
  offerPerson: 'Would you like me to bring in someone from our team?',
  languageNote: (served, other) =>
    `${other ? `Sorry, I can't write in ${languageName(other, 'en')} yet. ` : ''}I can answer in ${served.map((l) => languageName(l, 'en')).join(' or ')}.`,
  writeIn: (served) => `Could you write your question in ${served.map((l) => languageName(l, 'en')).join(' or ')}?`,
  languageHandOff: (business) => `I'm bringing in someone from the ${business} team who can help you further. They'll join this chat shortly.`,
  leaveOut: (products) => `No problem, I'll leave out the ${products.map((p) => p.name).join(' and the ')}.`,
  otherOptions: 'Here are some other options:',
  noOtherOptions: "That's everything we have in stock right now. Is there anything else you're looking for?",
  withinBudget: (budget) => `Within your budget of ${budget}:`,
  overBudget: (p, budget) => `The ${p.name} ${isPlural(p.name) ? 'are' : 'is'} above your budget of ${budget}.`,
  nothingInBudget: (budget) => `Nothing we have is within ${budget}, I'm afraid. The closest is:`,
  pricesIn: (currency) =>
    `Just so you know, our prices are in ${currencyName(currency, 'en')}, so I can't compare them with a budget in another currency.`,
  supportHandOff: "I'm sorry about that. I'm passing this to a colleague who can look up your order; they'll reply in this chat shortly.",
};

const tr: Replies = {
  firstHello: (business) => `Merhaba, ${business} olarak size yardımcı olmaktan memnuniyet duyarız!`,
  hello: 'Merhaba!',
  welcomeBack: 'Tekrar merhaba! Size nasıl yardımcı olabilirim?',
  stock: (p) => (p.stock === 0 ? 'Şu anda stokta yok.' : p.stock <= 5 ? `Stokta son ${p.stock} adet kaldı.` : 'Stokta var.'),
  productLine: (p) => `${p.name}: ${price(p, 'tr')}${p.stock === 0 ? ' (stokta yok)' : p.stock <= 5 ? ` (son ${p.stock} adet)` : ''}`,
  // Catalog descriptions are in the merchant's language, so a Turkish reply sticks to name, price and stock.
  productDetail: (p) => `${p.name}: ${price(p, 'tr')}. ${tr.stock(p)}`,
  priceOf: (p) =>
    p.stock === 0
      ? `${p.name} fiyatı ${price(p, 'tr')}, ancak şu anda stokta yok.`
      : `${p.name} fiyatı ${price(p, 'tr')}; ${p.stock <= 5 ? `stokta son ${p.stock} adet kaldı` : 'stokta mevcut'}.`,
  listIntro: 'Elimizde şunlar var:',
  noMatch: 'Maalesef kataloğumuzda bununla eşleşen bir ürün bulamadım.',
  tellMeMore: 'Tam olarak ne aradığınızı biraz daha anlatır mısınız?',
  whichProduct: 'Hangi ürünle ilgileniyorsunuz?',
  whichOne: (products) => `Hangisini istersiniz: ${products.map((p) => p.name).join(' ya da ')}?`,
  moreDetails: 'Herhangi biri hakkında daha fazla bilgi ister misiniz?',
  wantToOrder: 'Sipariş vermek ister misiniz?',
  outOfStock: (p) => `Üzgünüm, ${p.name} şu anda stokta yok.`,
  insteadMaybe: (alts) => `Bunun yerine ${alts.map((p) => `${p.name} (${price(p, 'tr')})`).join(' ya da ')} ilginizi çekebilir.`,
  cheaperOption: (alts) => `Daha uygun fiyatlı bir seçenek isterseniz: ${alts.map((p) => `${p.name}, ${price(p, 'tr')}`).join('; ')}.`,
  offer: (p, quantity, tone) => {
    const total = formatMoney(multiply({ amountMinor: p.priceMinor, currency: p.currency }, quantity), 'tr');
    const opener = tone === 'friendly' ? 'Harika seçim! ' : tone === 'formal' ? 'Elbette. ' : '';
    return `${opener}${quantity} × ${p.name} (toplam ${total}) için güvenli ödeme bağlantınızı hazırlıyorum, birazdan size ulaşacak.`;
  },
  notEnoughStock: (p, quantity) =>
    `Stokta ${p.name} ürününden yalnızca ${p.stock} adet var, bu yüzden şu an ${quantity} adet hazırlayamıyorum. ${tr.makeIt(p.stock)}`,
  makeIt: (quantity) => `${quantity} adet olarak hazırlayayım mı?`,
  linkAgain: (pending) => {
    const amount = formatMoney({ amountMinor: pending.amountMinor, currency: pending.currency }, 'tr');
    const until = expiry(pending.expiresAt, 'tr');
    return `${ordered(pending)} (toplam ${amount}) için ödeme bağlantınız: ${pending.url}${until ? `\nBağlantı ${until} tarihine kadar geçerli.` : ''}`;
  },
  handOff: (business) => `Tabii ki! Sizi ${business} ekibinden bir arkadaşımıza bağlıyorum, kısa süre içinde bu sohbete katılacak.`,
  unanswered: 'Güzel soru! Bu konuda tahminde bulunmak istemem; kesin bilgi için bir arkadaşımı çağırıyorum, kısa süre içinde bu sohbetten yanıt verecek.',
  slotsNoted: (tone) => (tone === 'concise' ? 'Not aldım.' : 'Teşekkürler, not aldım!'),
  suggestions: 'Anlattıklarınıza göre bunlar tam size göre olabilir:',
  nextStep: 'Size birkaç seçenek önermemi ister misiniz?',
  thanks: (tone) => (tone === 'concise' ? 'Rica ederim. Başka bir şey?' : 'Rica ederim! Yardımcı olabileceğim başka bir şey var mı?'),
  goodbye: (business) => `Bizimle yazıştığınız için teşekkürler. ${business} olarak iyi günler dileriz!`,
  offTopic: (business) => `Ben en çok ${business} ürünleri konusunda yardımcı olabilirim. Aradığınız bir ürün var mı?`,
  aboutBot: (business) =>
    `Ben ${business} ekibinin dijital satış asistanıyım. Ürünler, fiyatlar ve siparişler konusunda yardımcı olabilirim; dilerseniz sizi istediğiniz an ekibimizden birine bağlarım.`,
  unknown: 'Kusura bakmayın, tam anlayamadım. Belirli bir ürün mü arıyorsunuz, yoksa neler sattığımızı göstereyim mi?',
  stillUnclear: 'Kusura bakmayın, hâlâ tam anlayamadım; bu yüzden bir arkadaşımı çağırıyorum, kısa süre içinde bu sohbetten yanıt verecek.',
  overviewIntro: (categories) => {
    if (!categories.length) return 'Ürünlerimizden birkaçı:';
    const kinds = and(categories, 've');
    return `${kinds.charAt(0).toLocaleUpperCase('tr')}${kinds.slice(1)} satıyoruz. Öne çıkan birkaç ürünümüz:`;
  },
  overviewQuestion: 'Bunlardan biri hakkında bilgi ister misiniz, yoksa başka bir şey mi arıyorsunuz?',
  afterLink: (pending, thanked) => {
    const until = expiry(pending.expiresAt, 'tr');
    return `${thanked ? 'Rica ederim!' : 'Harika!'} ${pending.quantity} × ${pending.name} için ödeme bağlantınız yukarıdaki mesajımda${until ? `, ${until} tarihine kadar geçerli` : ''}. Aklınıza takılan bir şey olursa yazmanız yeterli.`;
  },
  afterHandOff: 'Teşekkürler! Bir arkadaşım kısa süre içinde buradan yazacak.',
  okay: 'Harika!',
  noProblem: 'Sorun değil!',
  anythingElse: 'Yardımcı olabileceğim başka bir şey var mı?',
  sorry: 'Yaşadığınız sıkıntı için gerçekten çok üzgünüm.',
  offerPerson: 'İsterseniz sizi hemen ekibimizden birine bağlayabilirim.',
  languageNote: (served, other) =>
    `${other ? `Maalesef henüz ${languageName(other, 'tr')} yazamıyorum. ` : ''}${served.map((l) => languageName(l, 'tr')).join(' veya ')} yanıt verebilirim.`,
  writeIn: (served) => `Sorunuzu ${served.map((l) => languageName(l, 'tr')).join(' veya ')} yazabilir misiniz?`,
  languageHandOff: (business) => `Size daha iyi yardımcı olabilmesi için ${business} ekibinden bir arkadaşımı çağırıyorum, kısa süre içinde bu sohbete katılacak.`,
  leaveOut: (products) => `Tamam, ${products.map((p) => p.name).join(' ve ')} dışındaki seçeneklere bakalım.`,
  otherOptions: 'Diğer seçenekler:',
  noOtherOptions: 'Şu an stokta olanların hepsi bu kadar. Aradığınız başka bir şey var mı?',
  withinBudget: (budget) => `${budget} bütçenize uygun olanlar:`,
  overBudget: (p, budget) => `${p.name}, ${budget} bütçenizin üzerinde.`,
  nothingInBudget: (budget) => `Maalesef ${budget} bütçeye uyan bir ürünümüz yok. En yakını:`,
  pricesIn: (currency) => `Bilginiz olsun, fiyatlarımız ${currencyName(currency, 'tr')} cinsinden; başka bir para birimindeki bütçeyle doğrudan karşılaştıramıyorum.`,
  supportHandOff: 'Bunun için üzgünüm. Siparişinize bakabilecek bir arkadaşıma aktarıyorum; kısa süre içinde bu sohbetten yanıt verecek.',
};

export const replies: Record<Language, Replies> = { en, tr };

export const productList = (products: Product[], lang: Language) => list(products, replies[lang].productLine);
