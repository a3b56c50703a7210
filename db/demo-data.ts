import { z } from 'zod';
import { ProductSchema, type Product } from '../domain/catalog';
import { KnowledgeEntryInputSchema, type KnowledgeEntryInput } from '../domain/knowledge';
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

/**
 * What the demo shop knows beyond its catalog, in both of its languages, so
 * shipping, returns and payment questions are answered from data the merchant
 * can edit rather than from text baked into the agent.
 */
export const demoKnowledge: KnowledgeEntryInput[] = z.array(KnowledgeEntryInputSchema).parse([
  {
    kind: 'faq',
    language: 'en',
    topics: ['shipping'],
    title: 'How long does delivery take?',
    body: 'Orders placed before 2 pm ship the same working day. Delivery takes 2-4 business days within Turkey and 5-10 business days to the EU and the UK.',
  },
  {
    kind: 'faq',
    language: 'en',
    topics: ['shipping'],
    title: 'How much does shipping cost? Where do you ship?',
    body: 'We ship across Turkey, the EU and the UK. Shipping is free on orders over $100; below that it is $7.90 within Turkey and $19.90 to the EU and the UK. You get a tracking link by email as soon as your parcel leaves our warehouse.',
  },
  {
    kind: 'faq',
    language: 'en',
    topics: ['returns'],
    title: 'What is your return policy? Can I get a refund?',
    body: 'You can return anything unused in its original packaging within 30 days of delivery for a full refund. Returns are free within Turkey; the refund reaches your card within 5 business days of the return arriving.',
  },
  {
    kind: 'faq',
    language: 'en',
    topics: ['warranty'],
    title: 'Is there a warranty?',
    body: 'Every product has a 2-year warranty against manufacturing defects. Send us a photo of the problem and your order number and we repair or replace it free of charge.',
  },
  {
    kind: 'faq',
    language: 'en',
    topics: ['payment'],
    title: 'Which payment methods do you accept? Can I pay in instalments?',
    body: 'We accept Visa, Mastercard, American Express and Troy cards through a secure checkout. Turkish credit cards can pay in up to 6 instalments on orders over $150.',
  },
  {
    kind: 'faq',
    language: 'en',
    topics: ['hours'],
    title: 'What are your opening hours?',
    body: 'Our store and customer service are open Monday to Saturday 10:00-19:00 and Sunday 12:00-18:00 (Istanbul time). This chat answers around the clock.',
  },
  {
    kind: 'faq',
    language: 'en',
    topics: ['locations'],
    title: 'Where is your store located? Can I visit the shop?',
    body: 'Our shop is at Moda Caddesi 12, Kadıköy, Istanbul, a five-minute walk from the Kadıköy ferry pier. You can try every tent and backpack there and pick up online orders for free.',
  },
  {
    kind: 'document',
    language: 'en',
    topics: ['other'],
    title: 'Caring for your tent and sleeping bag',
    body: [
      'Tents: pitch your tent at home once before the trip. After each trip shake out the sand, dry the tent fully before packing it away and store it loosely in a cool, dry place, never wet, or the coating mildews.',
      'Cleaning a tent: wash it by hand with lukewarm water and a mild soap. Never put a tent in a washing machine or dryer, and never use detergent on the waterproof coating.',
      'Sleeping bags: air your sleeping bag after every night out and store it uncompressed in the large storage sack, not in its stuff sack, so the insulation keeps its loft.',
      'Washing a sleeping bag: wash it rarely, in a front-loading machine on a gentle cycle with a down or technical wash, then tumble dry on low heat with two clean tennis balls until completely dry.',
    ].join('\n\n'),
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['shipping'],
    title: 'Kargo ne kadar sürer? Teslimat süresi nedir?',
    body: "Saat 14:00'e kadar verilen siparişler aynı iş günü kargoya verilir. Teslimat Türkiye içinde 2-4 iş günü, AB ve Birleşik Krallık'a 5-10 iş günü sürer.",
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['shipping'],
    title: 'Kargo ücreti ne kadar? Nerelere gönderim yapıyorsunuz?',
    body: "Türkiye, AB ve Birleşik Krallık'a gönderim yapıyoruz. 100 $ üzeri siparişlerde kargo ücretsiz; altında Türkiye içi 7,90 $, AB ve Birleşik Krallık'a 19,90 $. Paketiniz depodan çıkar çıkmaz takip bağlantısı e-postanıza gelir.",
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['returns'],
    title: 'İade koşullarınız nedir? Ürünü iade edebilir miyim?',
    body: 'Kullanılmamış ve orijinal ambalajındaki ürünleri teslimattan itibaren 30 gün içinde iade edip ücretin tamamını geri alabilirsiniz. Türkiye içi iade ücretsizdir; ürün bize ulaştıktan sonra 5 iş günü içinde ödemeniz kartınıza iade edilir.',
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['warranty'],
    title: 'Ürünlerin garantisi var mı?',
    body: 'Tüm ürünlerimiz üretim hatalarına karşı 2 yıl garantilidir. Sorunun fotoğrafını ve sipariş numaranızı gönderin, ürünü ücretsiz onaralım ya da değiştirelim.',
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['payment'],
    title: 'Hangi ödeme yöntemlerini kabul ediyorsunuz? Taksit var mı?',
    body: "Güvenli ödeme sayfamızda Visa, Mastercard, American Express ve Troy kartlarla ödeme yapabilirsiniz. 150 $ üzeri siparişlerde Türk kredi kartlarına 6 taksite kadar imkan var.",
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['hours'],
    title: 'Çalışma saatleriniz nedir? Mağaza kaçta açılıyor?',
    body: 'Mağazamız ve müşteri hizmetlerimiz pazartesi-cumartesi 10:00-19:00, pazar 12:00-18:00 arası açıktır (İstanbul saati). Bu sohbet ise günün her saati yanıt verir.',
  },
  {
    kind: 'faq',
    language: 'tr',
    topics: ['locations'],
    title: 'Mağazanız nerede? Adresiniz nedir?',
    body: "Mağazamız Moda Caddesi 12, Kadıköy, İstanbul adresinde, Kadıköy iskelesine beş dakika yürüme mesafesinde. Tüm çadır ve sırt çantalarını orada deneyebilir, online siparişlerinizi ücretsiz teslim alabilirsiniz.",
  },
  {
    kind: 'document',
    language: 'tr',
    topics: ['other'],
    title: 'Çadır ve uyku tulumu bakımı',
    body: [
      'Çadır: Yola çıkmadan önce çadırınızı evde bir kez kurun. Her kamptan sonra kumunu silkeleyin, tamamen kurumadan katlamayın ve serin, kuru bir yerde gevşek şekilde saklayın; ıslak saklanan çadırın kaplaması küflenir.',
      'Çadır temizliği: Çadırı ılık su ve yumuşak bir sabunla elde yıkayın. Çadırı asla çamaşır makinesine ya da kurutucuya koymayın, su geçirmez kaplamada deterjan kullanmayın.',
      'Uyku tulumu: Her geceden sonra uyku tulumunuzu havalandırın ve sıkıştırma torbasında değil, geniş saklama torbasında saklayın; böylece dolgu kabarıklığını korur.',
      'Uyku tulumu yıkama: Nadiren, önden yüklemeli makinede hassas programda kaz tüyü ya da teknik yıkama ürünüyle yıkayın; ardından iki temiz tenis topuyla düşük ısıda tamamen kuruyana kadar kurutun.',
    ].join('\n\n'),
  },
]);
