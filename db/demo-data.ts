import { z } from 'zod';
import { ProductSchema, type Product } from '../domain/catalog';
import { PlaybookSchema, type Playbook } from '../domain/playbook';

/**
 * The merchant every fresh install starts with, so the stack can be tried
 * without setting anything up. Parsed at load: a typo here fails loudly at
 * start rather than as an odd reply in a chat.
 */
export const demoMerchant = {
  id: 'demo',
  name: 'Demo Outdoor Co.',
  currency: 'USD',
  timezone: 'Europe/Istanbul',
  contactEmail: 'hello@demo-outdoor.example',
} as const;

export const demoPlaybook: Playbook = PlaybookSchema.parse({
  businessName: demoMerchant.name,
  tone: 'friendly',
  languages: ['en', 'tr'],
  defaultLanguage: 'en',
  greeting: {
    en: "Hi there! Welcome to Demo Outdoor Co. I'm here to help you find the right gear for your next adventure. What are you shopping for today?",
    tr: "Merhaba! Demo Outdoor Co.'ya hoş geldiniz. Bir sonraki maceranız için doğru ekipmanı bulmanıza yardımcı olmak için buradayım. Bugün ne arıyorsunuz?",
  },
  qualificationQuestions: {
    need: {
      en: 'What will you mainly use it for: camping, hiking, or something else?',
      tr: 'Ürünü en çok ne için kullanacaksınız: kamp, doğa yürüyüşü ya da başka bir şey mi?',
    },
    budget: {
      en: 'Do you have a budget in mind?',
      tr: 'Aklınızda bir bütçe var mı?',
    },
    timeline: {
      en: 'When do you need it by?',
      tr: 'Ürüne ne zamana kadar ihtiyacınız var?',
    },
    decisionMaker: {
      en: 'Is this for you, or are you buying it for someone else?',
      tr: 'Kendiniz için mi alıyorsunuz, yoksa başka biri için mi?',
    },
  },
  objectionAnswers: {
    price: {
      en: "I understand, it's worth getting right. Our gear is built to last for years and comes with a 2-year warranty, so it ends up cheaper per trip than gear you have to replace every season.",
      tr: 'Anlıyorum, doğru seçim yapmak önemli. Ürünlerimiz yıllarca dayanacak şekilde üretiliyor ve 2 yıl garantili; bu yüzden her sezon yenilemeniz gereken ürünlerden uzun vadede daha ekonomik.',
    },
    trust: {
      en: 'Totally fair question. Demo Outdoor Co. has been outfitting hikers and campers since 2012, payments go through a secure, encrypted checkout, and you can return anything unused within 30 days for a full refund.',
      tr: "Çok haklı bir soru. Demo Outdoor Co. 2012'den beri doğaseverlere ekipman sağlıyor; ödemeler güvenli ve şifreli bir ödeme sayfasından alınıyor, kullanılmamış ürünleri de 30 gün içinde iade edip ücretin tamamını geri alabilirsiniz.",
    },
    timing: {
      en: "No rush at all! Just so you know, popular items tend to sell out before the season starts. I'm happy to check back with you in a day or two.",
      tr: 'Hiç acele etmeyin! Yalnız bilginiz olsun, popüler ürünler sezon başlamadan tükenebiliyor. İsterseniz bir iki gün sonra size tekrar yazabilirim.',
    },
    competitor: {
      en: "It's smart to compare! With us you get a 2-year warranty, free returns within 30 days and a team that actually uses this gear and can help you pick the right fit.",
      tr: 'Karşılaştırmanız çok doğal! Bizden aldığınızda 2 yıl garanti, 30 gün içinde ücretsiz iade ve bu ekipmanları bizzat kullanan, size doğru ürünü seçmenizde yardımcı olacak bir ekip kazanırsınız.',
    },
  },
  maxDiscountPercent: 10,
  followUpDelaysSeconds: [86_400, 259_200],
  followUp: {
    en: 'Hi again! Just checking in: do you have any questions about the gear we talked about? Happy to help whenever you are ready.',
    tr: 'Tekrar merhaba! Konuştuğumuz ürünlerle ilgili aklınıza takılan bir şey var mı? Hazır olduğunuzda yardımcı olmaktan memnuniyet duyarım.',
  },
  handOff: { minConfidence: 0.35, maxObjections: 3, highValueMinor: 500_000 },
});

/** Tags carry the Turkish words customers use, since names and descriptions are in English. */
export const demoCatalog: Product[] = z.array(ProductSchema).parse([
  {
    sku: 'TENT-TB2',
    name: 'Trailblazer 2 Tent',
    description: 'Lightweight two-person, three-season backpacking tent. 1.9 kg packed, sets up in five minutes, fully waterproof fly.',
    priceMinor: 24_900,
    currency: 'USD',
    stock: 12,
    tags: ['tent', 'camping', 'backpacking', 'çadır', 'kamp'],
  },
  {
    sku: 'TENT-BC4',
    name: 'Basecamp 4 Family Tent',
    description: 'Roomy four-person tent with two doors, a covered porch and standing headroom. Ideal for car camping with the family.',
    priceMinor: 38_900,
    currency: 'USD',
    stock: 4,
    tags: ['tent', 'camping', 'family', 'çadır', 'kamp', 'aile'],
  },
  {
    sku: 'BAG-NF5',
    name: 'Nightfall -5°C Sleeping Bag',
    description: 'Mummy sleeping bag with synthetic insulation, comfortable down to -5°C. Packs into its own compression sack.',
    priceMinor: 14_900,
    currency: 'USD',
    stock: 20,
    tags: ['sleeping bag', 'camping', 'uyku tulumu', 'tulum', 'kamp'],
  },
  {
    sku: 'PACK-RL45',
    name: 'Ridgeline 45L Backpack',
    description: 'Hiking backpack with an adjustable back system, hip-belt pockets and a built-in rain cover. Fits carry-on limits.',
    priceMinor: 17_900,
    currency: 'USD',
    stock: 8,
    tags: ['backpack', 'hiking', 'sırt çantası', 'çanta', 'yürüyüş'],
  },
  {
    sku: 'BOOT-SP',
    name: 'Summit Pro Hiking Boots',
    description: 'Waterproof leather hiking boots with a grippy Vibram sole and ankle support for rocky trails.',
    priceMinor: 21_900,
    currency: 'USD',
    stock: 0,
    tags: ['boots', 'hiking', 'footwear', 'bot', 'ayakkabı', 'yürüyüş'],
  },
  {
    sku: 'JKT-SS',
    name: 'Stormshell Rain Jacket',
    description: 'Packable waterproof and breathable shell with taped seams and an adjustable hood.',
    priceMinor: 15_900,
    currency: 'USD',
    stock: 15,
    tags: ['jacket', 'rain', 'hiking', 'mont', 'ceket', 'yağmurluk'],
  },
  {
    sku: 'LAMP-B400',
    name: 'Beam 400 Headlamp',
    description: 'Rechargeable 400-lumen headlamp with red night mode and up to 40 hours of battery life.',
    priceMinor: 3_900,
    currency: 'USD',
    stock: 40,
    tags: ['headlamp', 'lighting', 'camping', 'kafa lambası', 'fener'],
  },
  {
    sku: 'STOVE-TF',
    name: 'Trailfire Camp Stove',
    description: 'Compact gas stove that boils a litre of water in three minutes. Piezo ignition, folds into its own pot.',
    priceMinor: 6_900,
    currency: 'USD',
    stock: 25,
    tags: ['stove', 'cooking', 'camping', 'ocak', 'kamp ocağı'],
  },
]);
