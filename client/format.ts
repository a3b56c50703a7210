/** Locale-aware formatting for money, percentages, durations and times. */

const fractionDigitsCache = new Map<string, number>();

/** Digits after the decimal point for a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = fractionDigitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigitsCache.set(code, digits);
  }
  return digits;
}

export function minorToMajor(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** currencyDigits(currency);
}

export function majorToMinor(amount: number, currency: string): number {
  return Math.round(amount * 10 ** currencyDigits(currency));
}

export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(minorToMajor(amountMinor, currency));
  } catch {
    return `${minorToMajor(amountMinor, currency).toFixed(2)} ${currency}`;
  }
}

export function formatPercent(ratio: number | null | undefined, locale: string, digits = 1): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(ratio);
}

export function formatNumber(n: number | null | undefined, locale: string, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
}

/** 850 ms, 12 s, 3.5 min, 2 h. */
export function formatDuration(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const unit = (value: number, u: 'millisecond' | 'second' | 'minute' | 'hour' | 'day', digits = 1) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
  if (ms < 1000) return unit(Math.round(ms), 'millisecond', 0);
  if (ms < 60_000) return unit(ms / 1000, 'second');
  if (ms < 3_600_000) return unit(ms / 60_000, 'minute');
  if (ms < 86_400_000) return unit(ms / 3_600_000, 'hour');
  return unit(ms / 86_400_000, 'day');
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

export function relativeTime(iso: string | null | undefined, locale: string, now = Date.now()): string {
  if (!iso) return '';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  let value = (then - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return '';
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

export function formatTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(d);
}

/** YYYY-MM-DD in the browser's time zone. */
export function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function daysAgo(n: number, from = new Date()): Date {
  const d = new Date(from);
  d.setDate(d.getDate() - n);
  return d;
}

/** A hand-off reason in words; a code with no translation (a new one, or a custom playbook's) shows as it is. */
export function handOffReasonText(t: (key: string) => string, te: (key: string) => boolean, reason: string): string {
  const key = `handOffReasons.${reason}`;
  return te(key) ? t(key) : reason;
}

/** One entry of a conversation's stage timeline, as both apps list it. */
export function timelineEventText(t: (key: string) => string, te: (key: string) => boolean, e: { kind: string; from: string | null; to: string | null }): string {
  const value = (v: string | null) => {
    if (v === null || v === '') return '—';
    if (e.kind === 'stage') return t(`stages.${v}`);
    if (e.kind === 'mode') return t(`mode.${v}`);
    if (e.kind === 'needs_human') return v === 'true' ? t('common.yes') : v === 'false' ? t('common.no') : v;
    return v;
  };
  const label = te(`timeline.${e.kind}`) ? t(`timeline.${e.kind}`) : e.kind;
  if (e.kind === 'hand_off') return e.to ? `${label}: ${handOffReasonText(t, te, e.to)}` : label;
  if (e.kind === 'closed') return `${label}: ${e.to ?? e.from ?? ''}`.replace(/: $/, '');
  return `${label}: ${value(e.from)} → ${value(e.to)}`;
}
