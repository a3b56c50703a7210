import type { Sentiment } from '../../../domain/decision';

/** Patterns on folded text (lower case, no diacritics). */
const angry = [
  /\b(stupid|idiots?|dumb|useless|ridiculous|pathetic|garbage|trash|terrible|awful|worst|horrible|unacceptable|disgusting|liars?|scammers|thieves|wtf|hate you|shut up|fuck\w*|shit\w*|damn|crap)\b/,
  /\b(rezalet|berbat|sacma|aptal|salak|gerizekali|dolandirici\w*|igrenc|nefret|kepazelik|biktim|lanet|hirsiz|yalanci|kahrolasi|haysiyetsiz)/,
];
const negative = [
  /\b(bad|disappointed|disappointing|not happy|unhappy|annoyed|annoying|frustrat\w*|problem|issue|broken|slow|confus\w*|scam|unfortunately|complain\w*|upset|not (good|great|impressed))\b/,
  /\b(kotu|memnun degilim|sorun|maalesef|hayal kirikligi|sinir\w*|yavas|bozuk|sikayet|mutsuz|begenmedim|olmadi)/,
];
const positive = [
  /\b(great|awesome|love|lovely|perfect|excellent|amazing|nice|wonderful|fantastic|thanks|thank you|cool|happy|glad|brilliant|sounds good)\b/,
  /\b(harika|super|mukemmel|tesekkur|guzel|cok iyi|sahane|bayildim|muthis|sagol|memnun)/,
];

/** Shouting: a real sentence (not "OK" or a SKU) written almost entirely in capitals. */
function isShouting(text: string): boolean {
  const letters = [...text].filter((ch) => ch.toLowerCase() !== ch.toUpperCase());
  if (letters.length < 10) return false;
  const upper = letters.filter((ch) => ch === ch.toUpperCase()).length;
  return upper / letters.length >= 0.8;
}

export function detectSentiment(text: string, folded: string): Sentiment {
  const any = (patterns: RegExp[]) => patterns.some((re) => re.test(folded));
  if (any(angry) || isShouting(text)) return 'angry';
  if (any(negative)) return /!{2,}/.test(text) ? 'angry' : 'negative';
  if (any(positive)) return 'positive';
  return 'neutral';
}
