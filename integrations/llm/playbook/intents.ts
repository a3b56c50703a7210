import type { Intent, ObjectionKind } from '../../../domain/decision';

/** A recognised intent; `variant` picks a reply where one intent has several (a bot question is off-topic with its own answer). */
export interface Classified {
  intent: Intent;
  objection: ObjectionKind | null;
  confidence: number;
  variant: 'bot' | 'payment_link' | null;
  /** The message also says hello, so the reply can too. */
  greeted: boolean;
}

interface Rule {
  intent: Intent;
  objection?: ObjectionKind;
  variant?: Classified['variant'];
  confidence: number;
  /** Patterns run on folded text: lower case, no diacritics ("sipariş" is "siparis"). */
  en: RegExp[];
  tr: RegExp[];
}

const humanRequest: Rule = {
  intent: 'human_request',
  confidence: 0.95,
  en: [
    /\b(talk|speak|chat)\s+(to|with)\s+(a|an|some|your)?\s*(real\s+|live\s+)?(person|human|someone|somebody|agent|representative|rep|manager|staff|people)\b/,
    /\b(real|live|actual)\s+(person|human|agent)\b/,
    /\b(customer (service|support)|representative|operator|sales ?person)\b/,
    /\b(connect|transfer)\s+me\b/,
    /\b(need|want)\s+(a\s+)?(real\s+)?(human|person|representative)\b/,
    /\b(call|phone)\s+me\b/,
  ],
  tr: [
    /\b(temsilci|yetkili|operator|musteri hizmetleri|canli destek)/,
    /\binsan(la|a)?\s+(gorus|konus)/,
    /\bgercek\s+(bir\s+)?(kisi|insan)/,
    /\bbiri(yle|ne|siyle)\s+(gorus|konus|baglan)/,
    /\bbeni\s+(arayin|arar misiniz|baglayin)/,
  ],
};

/**
 * After the sale: where an order is, a delivery gone wrong, a refund, a
 * complaint. A person with the order system answers these, not the sales agent.
 */
const supportRequest: Rule = {
  intent: 'support_request',
  confidence: 0.9,
  en: [
    /\bwhere\s+is\s+my\s+(order|package|parcel|delivery|refund|money)\b/,
    /\bmy\s+(order|package|parcel|delivery)\s+(has\s*n'?t|has\s+not|never|did\s*n'?t|did\s+not|still\s+has\s*n'?t|is\s+(late|delayed|missing|lost))/,
    /\b(track(ing)?\s+(my\s+)?(order|package|parcel)|tracking\s+number|order\s+status|status\s+of\s+my\s+order)\b/,
    /\b(i\s+want|i'?d\s+like|requesting|request)\s+(a\s+|my\s+)?refund\b/,
    /\b(arrived|came|delivered)\s+(broken|damaged|defective|torn)\b/,
    /\bwrong\s+(item|size|product|colou?r)\b/,
    /\b(complaint|complain)\b/,
    // Something bought already: returning it, cancelling it, asking after it, or parts of it missing.
    /\b(i|we)\s+(want|need|would\s+like|'d\s+like)\s+to\s+(return|exchange|send\s+back)\b/,
    /\b(return|exchange|send\s+back)\b.{0,40}\b(i|we)\s+(bought|ordered|purchased|got)\b/,
    /\bcancel\s+(my|the|an|this|our)?\s*(order|purchase|payment)\b/,
    /\b(i\s+want|i'?d\s+like|i\s+would\s+like|i\s+need|please)\s+(to\s+)?cancel\b/,
    /\b(arrived|came|delivered|received)\b.{0,60}\b(missing|broken|damaged|defective|torn|not\s+working)\b/,
    /\b(i|we)\s+(ordered|bought|purchased|paid\s+for)\b.{0,60}\b(when|where|status|shipped|dispatched|arrive|arrived)\b/,
  ],
  tr: [
    /\b(siparisim|kargom|paketim)\s+(nerede|gelmedi|ulasmadi|hala|gecikti|kayboldu)/,
    /\b(kargo|siparis)\s+(takip|durumu)/,
    /\bsiparis\s+numaram/,
    /\biade\s+(etmek\s+istiyorum|istiyorum|talebi)/,
    /\bparami\s+geri/,
    /\b(kirik|hasarli|bozuk|yirtik|yanlis\s+urun|yanlis\s+beden)\s+(geldi|ulasti|gonderdiniz)/,
    /\bsikayet/,
    /\b(siparis\w*|odeme\w*)\s+iptal/,
    /\biptal\s+(etmek|etmek\s+istiyorum|edin|eder\s+misiniz|edebilir\s+misiniz)/,
    /\beksik\s+(geldi|ulasti|parca|gonderdiniz)/,
    /\b(geldi|ulasti)\b.{0,40}\beksik/,
    /\b(siparis\s+verdim|siparis\s+ettim|satin\s+aldim|aldim)\b.{0,60}\b(ne\s+zaman|nerede|kargoya|gelmedi|ulasmadi)/,
  ],
};

const botQuestion: Rule = {
  intent: 'off_topic',
  variant: 'bot',
  confidence: 0.8,
  en: [/\bare\s+you\s+(a\s+|an\s+)?(bot|robot|human|real|ai|machine)\b/],
  tr: [/\b(bot|robot|yapay zeka|gercek)\s+(mi|mu)(sun|sunuz|siniz)\b/],
};

/** Only consulted while a payment link is pending: then any question about paying means "that link". */
const paymentLink: Rule = {
  intent: 'buying_signal',
  variant: 'payment_link',
  confidence: 0.9,
  en: [/\b(link|pay|paying|payment|checkout|check out)\b/],
  tr: [/\b(link|baglanti|odeme|ode(yecek|yebil|rim|mek))/],
};

const buyingSignal: Rule = {
  intent: 'buying_signal',
  confidence: 0.9,
  en: [
    /\b(i'?ll|i\s+will|we'?ll|we\s+will)\s+(also\s+|just\s+|definitely\s+)?(take|get|buy|order)\b/,
    /\b(i\s+want|i'?d\s+like|i\s+would\s+like|i\s+wanna|ready|let'?s|let\s+me|can\s+i|could\s+i|how\s+(do|can)\s+i|where\s+(do|can)\s+i)\s+(to\s+)?(buy|order|purchase|pay|checkout|check\s+out|get\s+it)\b/,
    /\b(buy|order|purchase)\s+(it|them|this|that|one|now|the)\b/,
    /\b(can|could|may)\s+i\s+(get|have)\s+(it|them|one|the|this|that|\d+)\b/,
    /\b(send|give)\s+(me\s+)?(the\s+|a\s+)?(payment\s+)?link\b/,
    /\b(payment|pay|checkout)\s+link\b/,
    /\b(add\s+to\s+cart|place\s+(an|the|my)\s+order|sold|it'?s\s+a\s+deal)\b/,
  ],
  tr: [
    /\bsiparis\s+(vermek|verece|veriyor|verebilir|verme|olustur|etmek|edece|edebilir)/,
    /\bsatin\s+al/,
    /\b(alayim|aliyorum|alacagim|alicam|alirim|almak\s+istiyorum|alabilir\s+miyim)\b/,
    /\bnasil\s+(odeme|oder|odeyebilir|alabilir|siparis)/,
    /\bodeme\s+(linki|baglantisi|yapmak|yapabilir|yapacag)/,
    /\blink(i|ini)?\s+(gonder|at|yolla)/,
  ],
};

/**
 * Buying on condition of a lower price ("half price and it's a deal", "I'll
 * give you $150 for it", "yarı fiyatına verirseniz alırım") is haggling, not
 * a wish to buy: it goes before buying signals so no link goes out at full price.
 */
const haggle: Rule = {
  intent: 'objection',
  objection: 'price',
  confidence: 0.85,
  en: [
    /\b(half|50\s*%)\s*(the\s+)?price\b/,
    /\b(i'?ll|i\s+will|i\s+can|i'?d|i\s+would)\s+(give|pay|offer)\s+(you\s+)?(only\s+|just\s+)?\$?\d/,
    /\b(can|could|would|will)\s+you\s+(do|make|sell|give|let\s+me\s+have)\s+(me\s+)?(it|them|this|that|one)?\s*(for|at)\s+(only\s+|just\s+)?\$?\d/,
    /\b(if|when)\s+you\s+(give|make|do|sell|drop|lower|knock|cut|take)\b.*\b(off|discount|cheaper|less|lower|price|\$?\d+)/,
    /\b(discount|cheaper|lower\s+price|better\s+price|\d+\s*%\s*off|for\s+\$\d+|at\s+\$\d+)\b.*\b(i'?ll\s+(take|buy|order)|it'?s\s+a\s+deal|deal)\b/,
    /\b(i'?ll\s+(take|buy|order)\s+(it|them|one)?|it'?s\s+a\s+deal)\b.*\b(if|for\s+\$\d+|at\s+\$\d+|discount|cheaper|\d+\s*%\s*off)\b/,
  ],
  tr: [
    /\byari\s+fiyat/,
    /\b\w+(irseniz|irsaniz|urseniz|ursaniz|arsaniz|erseniz)\b.*\b(alirim|alayim|aliyorum|alacagim)/,
    /\b\d+\s*(dolar|dolara|tl|tlye|liraya|\$)\s*(verir|verebilir|satar|satabilir|birak|olur)/,
    /\b(indirim|daha\s+ucuz|daha\s+uygun)\b.*\b(alirim|alayim|aliyorum|alacagim)/,
  ],
};

const competitorObjection: Rule = {
  intent: 'objection',
  objection: 'competitor',
  confidence: 0.85,
  en: [
    /\b(amazon|decathlon|rei|walmart|ebay|aliexpress|temu|competitors?)\b/,
    /\b(other|another)\s+(store|shop|site|website|seller)s?\b/,
    /\b(elsewhere|somewhere\s+else|found\s+it\s+(for\s+less|cheaper))\b/,
  ],
  tr: [
    /\b(amazon|decathlon|trendyol|hepsiburada|n11|rakip)/,
    /\bbaska\s+(yerde|yerden|sitede|siteden|magazada|magazadan|dukkanda|satici)/,
  ],
};

const priceObjection: Rule = {
  intent: 'objection',
  objection: 'price',
  confidence: 0.85,
  en: [
    /\btoo\s+(expensive|pricey|much|costly|high)\b/,
    /\b(expensive|pricey|overpriced|cheaper|discount|rip\s*off)\b/,
    /\b(can'?t|cannot|can\s+not)\s+afford\b/,
    /\b(better|lower|best)\s+price\b/,
    /\b(over|out\s+of|above)\s+my\s+budget\b/,
  ],
  tr: [
    /\b(pahali|cok\s+fazla|indirim|daha\s+ucuz|daha\s+uygun|cok\s+tuzlu)/,
    /\bbutcemi\s+(asiyor|asar)/,
    /\b(param\s+yetmez|karsilayamam|alamam)/,
  ],
};

const trustObjection: Rule = {
  intent: 'objection',
  objection: 'trust',
  confidence: 0.8,
  en: [
    /\b(scam|legit|legitimate|trust|trustworthy|reliable|fake|genuine|authentic|warranty|guarantee|refund|returns?\s+policy|reviews)\b/,
    /\b(is\s+it|is\s+this|are\s+you)\s+(safe|secure)\b/,
    /\bnever\s+heard\s+of\s+you\b/,
  ],
  tr: [
    /\b(guvenilir|guven|dolandirici|sahte|orijinal|garanti|iade|guvenli|yorumlar)/,
    /\bhic\s+duymadim\b/,
  ],
};

const timingObjection: Rule = {
  intent: 'objection',
  objection: 'timing',
  confidence: 0.8,
  en: [
    /\b(maybe|perhaps|probably)\s+later\b/,
    /\b(buy|order|decide|come\s+back|check\s+back|get\s+back)\s+(to\s+you\s+)?later\b/,
    /\bnot\s+(right\s+)?now\b/,
    /\b(let\s+me\s+think|think\s+about\s+it|not\s+ready|some\s+other\s+time|i'?ll\s+wait|not\s+sure\s+yet|after\s+payday)\b/,
  ],
  tr: [
    /\b(daha\s+sonra|sonra\s+(bakarim|karar|alirim|donerim|yazarim))/,
    /\b(dusunecegim|dusuneyim|dusunmem\s+lazim|dusunmem\s+gerek|simdi\s+degil|henuz\s+emin\s+degilim|maastan\s+sonra)/,
  ],
};

const priceQuestion: Rule = {
  intent: 'price_question',
  confidence: 0.9,
  en: [
    /\b(how\s+much|price|prices|pricing|cost|costs|in\s+stock|stock|available|availability)\b/,
    /\bwhat\s+does\s+.{1,40}\s+cost\b/,
  ],
  tr: [/\b(fiyat|kac\s+para|ne\s+kadar|ucret|kaca|stok|mevcut\s+mu)/],
};

const productQuestion: Rule = {
  intent: 'product_question',
  confidence: 0.85,
  en: [
    /\bdo\s+you\s+(have|sell|carry|stock|offer)\b/,
    /\b(looking|searching)\s+for\b/,
    /\b(recommend|suggest|recommendation|suggestion|options|alternatives|compare|difference|specs|features|details|waterproof|weight|size)\b/,
    /\b(tell\s+me\s+more|show\s+me\s+(the|some|your|what))\b/,
    /\bwhat\s+(kind|kinds|type|types)\s+of\b/,
  ],
  tr: [
    /\bvar\s+(mi|midir|miydi)\b/,
    /\b(satiyor|bulunuyor)\s+mu(sunuz)?\b/,
    /\b(ariyorum|ariyoruz|oner|tavsiye|ozellik|hangisi|detay|bilgi|su\s+gecirmez|agirlik|beden|fark)/,
  ],
};

/** "buy" on its own ("should I buy it?") is weaker than the phrases above and loses to an objection. */
const weakBuyingSignal: Rule = {
  intent: 'buying_signal',
  confidence: 0.6,
  en: [/\b(buy|order|purchase)\b/],
  tr: [/\b(siparis|satin|alacag)/],
};

const goodbye: Rule = {
  intent: 'goodbye',
  confidence: 0.9,
  en: [/\b(bye|goodbye|see\s+you|see\s+ya|have\s+a\s+(good|nice|great)\s+(day|one|evening|weekend)|talk\s+(to\s+you\s+)?(later|soon)|that'?s\s+all)\b/],
  tr: [/\b(hosca\s*kal|gorusuruz|iyi\s+gunler|iyi\s+aksamlar|iyi\s+geceler|bay\s+bay|kendinize\s+iyi\s+bakin)/],
};

const thanks: Rule = {
  intent: 'thanks',
  confidence: 0.9,
  en: [/\b(thanks|thank\s+you|thx|ty|cheers|appreciate\s+it|much\s+appreciated)\b/],
  tr: [/\b(tesekkur|sag\s*ol|eyvallah|mersi|tsk)/],
};

const offTopic: Rule = {
  intent: 'off_topic',
  confidence: 0.6,
  en: [/\b(weather|joke|politics|election|football|soccer|basketball|movie|recipe|news|bitcoin|crypto|homework|poem|lottery)\b/],
  tr: [/\b(hava\s+durumu|hava\s+nasil|fikra|siyaset|secim|futbol|mac\s|film|yemek\s+tarifi|haber|kripto|odev|siir|piyango)/],
};

/** Checked first to last; the first rule that matches wins. */
const beforeContext: Rule[] = [
  humanRequest,
  supportRequest,
  botQuestion,
  haggle,
  buyingSignal,
  competitorObjection,
  priceObjection,
  trustObjection,
  timingObjection,
  priceQuestion,
  productQuestion,
  weakBuyingSignal,
  goodbye,
  thanks,
];

const greetingWord =
  /\b(hi|hello|hey|hiya|howdy|greetings|good\s+(morning|afternoon|evening)|merhaba|merhabalar|selam|selamlar|slm|mrb|gunaydin|iyi\s+gunler|iyi\s+aksamlar)\b/g;
const greetingFiller = /\b(there|all|everyone|team|folks|guys|arkadaslar|efendim)\b/g;

const matches = (rule: Rule, folded: string) => [...rule.en, ...rule.tr].some((re) => re.test(folded));

const result = (rule: Rule, greeted: boolean): Classified => ({
  intent: rule.intent,
  objection: rule.objection ?? null,
  confidence: rule.confidence,
  variant: rule.variant ?? null,
  greeted,
});

export interface ClassifyHints {
  /** The message names catalog products. */
  hasProducts: boolean;
  /** The message fills a qualification slot. */
  hasSlots: boolean;
  /** A payment link is waiting to be paid. */
  paymentPending: boolean;
}

/**
 * Both languages' patterns run on every message: customers mix them, and a
 * Turkish pattern never fires on English text by accident.
 */
export function classify(folded: string, hints: ClassifyHints): Classified {
  const greeted = new RegExp(greetingWord.source).test(folded);
  const onlyGreeting =
    greeted && folded.replace(greetingWord, ' ').replace(greetingFiller, ' ').replace(/[^\p{L}\p{N}]+/gu, '') === '';
  if (onlyGreeting) return { intent: 'greeting', objection: null, confidence: 0.95, variant: null, greeted };

  const rules = hints.paymentPending ? [humanRequest, supportRequest, botQuestion, paymentLink, ...beforeContext.slice(3)] : beforeContext;
  for (const rule of rules) if (matches(rule, folded)) return result(rule, greeted);

  if (hints.hasProducts) return { intent: 'product_question', objection: null, confidence: 0.75, variant: null, greeted };
  // After products ("a jacket for rainy weather" is a product question), before slots ("weather today" is not a timeline).
  if (matches(offTopic, folded)) return result(offTopic, greeted);
  if (hints.hasSlots) return { intent: 'qualification', objection: null, confidence: 0.8, variant: null, greeted };
  if (greeted) return { intent: 'greeting', objection: null, confidence: 0.7, variant: null, greeted };
  return { intent: 'unknown', objection: null, confidence: 0.2, variant: null, greeted };
}
