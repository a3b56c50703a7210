/** Just enough of Prometheus's text format to assert on: series with their labels and values, and the families declared. */
export interface Exposition {
  series: { name: string; labels: Record<string, string>; value: number }[];
  /** Every metric family named by a `# TYPE` line, with its type. */
  families: Map<string, string>;
}

export function parseExposition(text: string): Exposition {
  const series: Exposition['series'] = [];
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    series.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { series, families };
}

/** The sum over every series of `name` whose labels include `match`. */
export function total(e: Exposition, name: string, match: Record<string, string> = {}): number {
  return e.series
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Whether a name used in a query exists: a series, or a family (histogram `_bucket`/`_count`/`_sum` included). */
export function exported(e: Exposition, name: string): boolean {
  if (e.families.has(name) || e.series.some((s) => s.name === name)) return true;
  const base = /^(.*)_(bucket|count|sum)$/.exec(name)?.[1];
  return Boolean(base && ['histogram', 'summary'].includes(e.families.get(base) ?? ''));
}
