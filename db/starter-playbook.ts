import { PlaybookSchema, type Playbook } from '../domain/playbook';

/** What a newly registered merchant starts with: neutral wording they can edit in the dashboard. */
export function starterPlaybook(businessName: string, defaultLanguage: 'en' | 'tr' = 'en'): Playbook {
  return PlaybookSchema.parse({
    businessName,
    tone: 'friendly',
    languages: ['en', 'tr'],
    defaultLanguage,
    greeting: {
      en: `Hi! Welcome to ${businessName}. How can I help you today?`,
      tr: `Merhaba! ${businessName}'a hoş geldiniz. Size bugün nasıl yardımcı olabilirim?`,
    },
    qualificationQuestions: {
      need: { en: 'What are you looking for, and what will you use it for?', tr: 'Ne arıyorsunuz, ne için kullanacaksınız?' },
      budget: { en: 'Do you have a budget in mind?', tr: 'Aklınızda bir bütçe var mı?' },
      timeline: { en: 'When do you need it by?', tr: 'Ne zamana kadar ihtiyacınız var?' },
      decisionMaker: { en: 'Is this for you, or for someone else?', tr: 'Kendiniz için mi, başka biri için mi?' },
    },
    objectionAnswers: {
      price: { en: 'I understand. It is worth getting right, and what you pay covers quality that lasts.', tr: 'Anlıyorum. Doğru seçim önemli; ödediğiniz fiyat uzun süre dayanan bir kaliteyi karşılıyor.' },
      trust: { en: 'Fair question. Payments go through a secure checkout, and we are happy to answer anything before you buy.', tr: 'Haklı bir soru. Ödemeler güvenli bir ödeme sayfasından alınır; satın almadan önce her sorunuzu yanıtlarız.' },
      timing: { en: 'No rush at all. I can check back with you in a day or two.', tr: 'Hiç acele yok. Bir iki gün sonra size tekrar yazabilirim.' },
      competitor: { en: 'Comparing is smart. Tell me what matters most to you and I will show you how we compare.', tr: 'Karşılaştırmanız çok doğal. Sizin için en önemli olanı söyleyin, nasıl karşılaştırdığımızı göstereyim.' },
    },
    maxDiscountPercent: 0,
    followUpDelaysSeconds: [86_400, 259_200],
    followUp: { en: 'Hi again! Did you have any other questions? I am here to help.', tr: 'Tekrar merhaba! Başka sorunuz var mıydı? Yardım etmek için buradayım.' },
  });
}
