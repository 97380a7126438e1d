import type { BenchRow } from './types.js';

/** What the run was: printed above the table and stored beside the rows. */
export interface RunInfo {
  date: string;
  quick: boolean;
  node: string;
  cpus: string;
  cores: number;
  databases: string[];
  wallSeconds: number;
  /** Groups asked for and not run, with the reason (e.g. their scenario file is not there yet). */
  notes: string[];
}

const DATABASE_NAMES: Record<BenchRow['database'], string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  '-': '-',
};

/** A markdown table with padded columns (numbers right-aligned), so Prettier leaves it as it is. */
export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The rows as one table, by group then as measured. */
export function rowsTable(rows: readonly BenchRow[]): string {
  const sorted = [...rows].sort((a, b) => a.group - b.group);
  return markdownTable(
    ['group', 'scenario', 'database', 'ratio', 'baseline (same run)', 'target', 'met', 'detail'],
    sorted.map((r) => [
      String(r.group),
      r.adapter ? `${r.name} (${r.adapter})` : r.name,
      DATABASE_NAMES[r.database],
      `${r.ratio.toFixed(2)}×`,
      r.baseline,
      r.target,
      r.target === 'info' ? '-' : r.met ? 'yes' : '**no**',
      r.detail ?? '',
    ]),
    [true, false, false, true, false, true, false, false],
  );
}

export function markdownReport(info: RunInfo, rows: readonly BenchRow[]): string {
  const missed = rows.filter((r) => !r.met);
  return [
    `# Benchmark results${info.quick ? ' (quick run: small row counts, few rounds; not for comparison)' : ''}`,
    '',
    `- date: ${info.date}; wall time ${info.wallSeconds.toFixed(0)} s`,
    `- machine: ${info.cores} cores (${info.cpus}), Node ${info.node}, shared with other work: read the ratios, not the absolute figures`,
    `- databases: ${info.databases.join(', ')}`,
    '- every ratio is against a baseline measured in the same run (interleaved where the two can alternate)',
    '- reproduce: `npm run bench` (all groups), `npm run bench -- --quick`, `npm run bench -- --only 3,4`',
    ...info.notes.map((note) => `- ${note}`),
    '',
    rowsTable(rows),
    '',
    missed.length === 0
      ? 'Every target met.'
      : `Missed: ${missed.map((r) => `${r.name} on ${DATABASE_NAMES[r.database]} (${r.ratio.toFixed(2)}× vs ${r.target})`).join('; ')}.`,
    '',
    '![ratios against their targets](ratios.svg)',
    '',
  ].join('\n');
}

/** Reads a target written as `≤1.5×`, `≥1.6×` or `0.90–1.10×`; undefined for `info`. */
export function parseTarget(target: string): { low?: number; high?: number } | undefined {
  const between = /^([\d.]+)\s*[–-]\s*([\d.]+)×$/.exec(target);
  if (between) {
    return { low: Number(between[1]), high: Number(between[2]) };
  }
  const bound = /^([≤≥])\s*([\d.]+)×$/.exec(target);
  if (!bound) {
    return undefined;
  }
  return bound[1] === '≤' ? { high: Number(bound[2]) } : { low: Number(bound[2]) };
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A small horizontal chart, hand-written SVG: one bar per row with a target (green met, red missed), the
 * allowed range shaded behind it, and a line at 1×.
 */
export function svgChart(rows: readonly BenchRow[]): string {
  const charted = [...rows]
    .sort((a, b) => a.group - b.group)
    .flatMap((r) => {
      const target = parseTarget(r.target);
      return target ? [{ r, target }] : [];
    });
  const labelWidth = 380;
  const plotWidth = 340;
  const rowHeight = 18;
  const top = 28;
  const max = Math.max(
    2,
    ...charted.map(({ r, target }) => Math.max(r.ratio, target.low ?? 0, target.high ?? 0)),
  );
  // Room past the largest ratio or target, so a bound's shading ends inside the plot.
  const scale = Math.ceil(max * 1.15 * 2) / 2;
  const x = (ratio: number) => labelWidth + (Math.min(ratio, scale) / scale) * plotWidth;
  const height = top + charted.length * rowHeight + 24;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 110}" height="${height}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    `<text x="8" y="16" font-size="13" font-weight="bold">Ratio to a baseline of the same run (bar) and target (shaded)</text>`,
  ];
  charted.forEach(({ r, target }, i) => {
    const y = top + i * rowHeight;
    const low = x(target.low ?? 0);
    const high = x(target.high ?? scale);
    const name = `${r.name}${r.adapter ? ` (${r.adapter})` : ''}`;
    const label = `${r.group}. ${name.length > 46 ? `${name.slice(0, 45)}…` : name} · ${DATABASE_NAMES[r.database]}`;
    parts.push(
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(label)}</text>`,
      `<rect x="${low.toFixed(1)}" y="${y + 1}" width="${(high - low).toFixed(1)}" height="${rowHeight - 2}" fill="#e3f2e3"/>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${(x(r.ratio) - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${r.met ? '#2e7d32' : '#c62828'}"/>`,
      `<text x="${(x(r.ratio) + 4).toFixed(1)}" y="${y + 12}">${r.ratio.toFixed(2)}× (${escapeXml(r.target)})</text>`,
    );
  });
  const axisY = top + charted.length * rowHeight + 4;
  parts.push(`<line x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${axisY}" stroke="#555"/>`);
  const step = scale <= 4 ? 0.5 : scale <= 10 ? 1 : 5;
  for (let tick = 0; tick <= scale; tick += step) {
    parts.push(
      `<line x1="${x(tick)}" y1="${axisY}" x2="${x(tick)}" y2="${axisY + 4}" stroke="#555"/>`,
      `<text x="${x(tick)}" y="${axisY + 15}" text-anchor="middle">${tick}×</text>`,
    );
  }
  parts.push(
    `<line x1="${x(1)}" y1="${top}" x2="${x(1)}" y2="${axisY}" stroke="#999" stroke-dasharray="3,3"/>`,
    '</svg>',
    '',
  );
  return parts.join('\n');
}
