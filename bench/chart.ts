/**
 * A dependency-free SVG chart: median latency and throughput against the number of clients, one
 * line per series, two panels side by side.
 */
export interface Series {
  name: string;
  color: string;
  /** One point per client count, in the order of `clients`. */
  latencyMs: number[];
  perSecond: number[];
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function panel(x0: number, title: string, unit: string, clients: number[], series: Series[], pick: (s: Series) => number[]): string {
  const width = 360;
  const height = 220;
  const left = x0 + 50;
  const top = 40;
  const max = niceMax(Math.max(...series.flatMap((s) => pick(s).filter(Number.isFinite))));
  const xs = clients.map((_, i) => left + (i * width) / Math.max(1, clients.length - 1));
  const y = (v: number) => top + height - (v / max) * height;
  const parts = [`<text x="${left + width / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<line x1="${left}" x2="${left + width}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${esc(String(Number(v.toPrecision(3))))}</text>`);
  }
  clients.forEach((c, i) => {
    parts.push(`<text x="${xs[i]}" y="${top + height + 18}" text-anchor="middle">${c}</text>`);
  });
  parts.push(`<text x="${left + width / 2}" y="${top + height + 36}" text-anchor="middle">clients</text>`);
  parts.push(
    `<text x="${x0 + 12}" y="${top + height / 2}" transform="rotate(-90 ${x0 + 12} ${top + height / 2})" text-anchor="middle">${esc(unit)}</text>`,
  );
  for (const s of series) {
    const points = pick(s)
      .map((v, i) => (Number.isFinite(v) ? `${xs[i]},${y(v)}` : ''))
      .filter(Boolean);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const p of points) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
  }
  return parts.join('\n');
}

export function latencyThroughputChart(clients: number[], series: Series[]): string {
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${60 + i * 190}" y="318" width="12" height="12" fill="${s.color}"/><text x="${78 + i * 190}" y="329">${esc(s.name)}</text>`,
    )
    .join('\n');
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="345" font-family="sans-serif" font-size="12">',
    `<title>Median latency and throughput at ${clients.join(', ')} clients: ${esc(series.map((s) => s.name).join(', '))}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(0, 'Median latency', 'ms', clients, series, (s) => s.latencyMs),
    panel(450, 'Throughput', 'operations per second', clients, series, (s) => s.perSecond),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
