import type { LatencySummary } from './stats';

export interface Row {
  label: string;
  cells: (number | string | null)[];
}

const fmt = (v: number | string | null, digits: number): string => {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  return v.toFixed(digits);
};

/** A plain-text table: first column left-aligned, the rest right-aligned. */
export function table(headers: string[], rows: Row[], digits = 1): string {
  const body = rows.map((r) => [r.label, ...r.cells.map((c) => fmt(c, digits))]);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export const latencyCells = (s: Pick<LatencySummary, 'p50' | 'p90' | 'p99'>): number[] => [s.p50, s.p90, s.p99];
export const ratio = (a: number, b: number): number => a / b;
