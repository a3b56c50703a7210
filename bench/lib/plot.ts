/**
 * The latency-versus-rate plot of the open-loop mode as a standalone SVG.
 * Written by hand: it is one chart with two log axes and a legend, which a
 * charting library would turn into a headless-browser dependency.
 */

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  /** [x, y]; points with a non-finite or non-positive y are left out. */
  points: [number, number][];
}

export interface PlotSpec {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A vertical marker, e.g. the saturation point. */
  marker?: { x: number; label: string } | null;
}

const W = 760;
const H = 460;
const M = { left: 70, right: 190, top: 56, bottom: 56 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Powers of ten (with 2 and 5 between) covering [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

const label = (v: number) => (v >= 1000 ? `${v / 1000}k`.replace('.0k', 'k') : String(Number(v.toPrecision(3))));

export function latencyPlot(spec: PlotSpec): string {
  const pts = spec.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xLo = xs.length ? Math.min(...xs) / 1.3 : 1;
  const xHi = xs.length ? Math.max(...xs) * 1.3 : 10;
  const yLo = ys.length ? 10 ** Math.floor(Math.log10(Math.min(...ys))) : 1;
  const yHi = ys.length ? 10 ** Math.ceil(Math.log10(Math.max(...ys) * 1.01)) : 10;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo))) * pw;
  const sy = (y: number) => M.top + ph - ((Math.log(y) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))) * ph;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(spec.title)}</text>`);
  out.push(`<text x="${M.left}" y="40" fill="#555">${esc(spec.subtitle)}</text>`);
  // Grid and ticks.
  for (const y of logTicks(yLo, yHi)) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${label(y)}</text>`);
  }
  const xTicks = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  for (const x of xTicks) {
    out.push(`<line x1="${sx(x).toFixed(1)}" x2="${sx(x).toFixed(1)}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${sx(x).toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${label(x)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  if (spec.marker) {
    const x = sx(spec.marker.x).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" stroke="#c00" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${Number(x) + 4}" y="${M.top + 14}" fill="#c00">${esc(spec.marker.label)}</text>`);
  }
  spec.series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (p.length) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of p) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = M.top + 10 + i * 20;
    out.push(`<line x1="${M.left + pw + 14}" x2="${M.left + pw + 44}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${M.left + pw + 50}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
