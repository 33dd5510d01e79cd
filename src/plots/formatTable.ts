/**
 * Plain-text and Markdown tables of results (method, iterations, work, time,
 * accuracy), no dependency.
 */
import { fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';

/** A column of {@link formatTable}. */
export interface TableColumn {
  /** Property of the row objects. */
  key: string;
  /** Header text. Default: the key. */
  label?: string;
  /** Significant digits for non-integer numbers. Default 4. */
  digits?: number;
  /** Custom formatting of a cell. */
  format?: (value: unknown, row: Record<string, unknown>) => string;
  /** Alignment. Default: right for numbers, left otherwise. */
  align?: 'left' | 'right';
}

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** `'text'` (aligned columns, a rule under the header; default) or `'markdown'`. */
  style?: 'text' | 'markdown';
}

/** Default cell text: integers as they are, other numbers to `digits` significant digits, missing values as '-'. */
export function formatCell(v: unknown, digits = 4): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    const a = Math.abs(v);
    return a >= 1e6 || a < 1e-3 ? v.toExponential(Math.max(0, digits - 1)) : v.toPrecision(digits);
  }
  return String(v);
}

/**
 * Format rows of results as a table.
 * @param rows one object per line
 * @param columns the columns, as keys or `{ key, label?, digits?, format?, align? }`; default: the keys of the rows in order of appearance
 * @param options `{ style = 'text' | 'markdown' }`
 * @returns the table as a string (lines joined by '\n', no trailing newline)
 * @throws if `rows` is not an array of objects
 * @example formatTable([{ method: 'sgd', acc: 0.8812 }], ['method', { key: 'acc', label: 'val. acc.' }])
 * // method  val. acc.
 * // ------  ---------
 * // sgd        0.8812
 */
export function formatTable(rows: Record<string, unknown>[], columns?: (string | TableColumn)[], options: TableOptions = {}): string {
  const fn = 'formatTable';
  checkOptions(fn, options, ['style']);
  if (!Array.isArray(rows)) fail(fn, `rows must be an array of objects, got ${typeof rows}`);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== 'object') fail(fn, `rows[${i}] must be an object, got ${r === null ? 'null' : typeof r}`);
  });
  let cols: TableColumn[];
  if (columns === undefined) {
    const keys: string[] = [];
    for (const r of rows) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
    cols = keys.map((key) => ({ key }));
  } else {
    if (!Array.isArray(columns)) fail(fn, 'columns must be an array of keys or { key, label? }');
    cols = columns.map((c, i) => {
      if (typeof c === 'string') return { key: c };
      if (c === null || typeof c !== 'object' || typeof c.key !== 'string') fail(fn, `columns[${i}] must be a key or { key, label? }`);
      return c;
    });
  }
  const style = options.style ?? 'text';
  if (style !== 'text' && style !== 'markdown') fail(fn, `style must be 'text' or 'markdown', got '${String(style)}'`);
  const header = cols.map((c) => c.label ?? c.key);
  const cells = rows.map((r) => cols.map((c) => (c.format ? c.format(r[c.key], r) : formatCell(r[c.key], c.digits))));
  const right = cols.map((c) => c.align ? c.align === 'right' : rows.length > 0 && rows.every((r) => r[c.key] === undefined || r[c.key] === null || typeof r[c.key] === 'number'));
  const widths = cols.map((_, j) => Math.max(header[j].length, ...cells.map((row) => row[j].length), style === 'markdown' ? 3 : 1));
  const pad = (s: string, j: number) => (right[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  if (style === 'markdown') {
    const line = (row: string[]) => `| ${row.map((s, j) => pad(s.replace(/\|/g, '\\|'), j)).join(' | ')} |`;
    const rule = `|${widths.map((w, j) => (right[j] ? ` ${'-'.repeat(w - 1)}: ` : ` ${'-'.repeat(w)} `)).join('|')}|`;
    return [line(header), rule, ...cells.map(line)].join('\n');
  }
  const line = (row: string[]) => row.map((s, j) => pad(s, j)).join('  ').replace(/\s+$/, '');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
