/**
 * The familiar numerical table of an optimization run: a header once, then one
 * right-aligned row per iteration, reals in scientific notation with a
 * two-digit exponent so the columns stay aligned
 * (`  12  1.234e-05  3.000e-01 ...`).
 */
import type { HistoryRow, HistoryValue } from './types.js';
import { fail } from '../core/errors.js';

/** Columns printed as integers. */
const INTEGER_COLUMNS = new Set(['iter', 'epoch', 'lsIter', 'cgIter', 'matvecs', 'evals', 'steps', 'inner', 'innerTotal']);

/** Header labels shorter than the field names. */
const LABELS: Record<string, string> = {
  iter: 'iter',
  value: 'f(x)',
  gradNorm: '|grad|',
  step: 'step',
  stepNorm: '|dx|',
  lsIter: 'LS',
  cgIter: 'CG',
  matvecs: 'Hv',
  evals: 'evals',
  time: 'time[s]',
};

/** `x` as `d.ddde±XX` (3 significant decimals, two-digit exponent). */
export function formatScientific(x: number, digits = 3): string {
  if (typeof x !== 'number') fail('formatScientific', `x must be a number, got ${typeof x}`);
  if (!Number.isInteger(digits) || digits < 0 || digits > 100) fail('formatScientific', `digits must be an integer from 0 to 100, got ${String(digits)}`);
  if (!Number.isFinite(x)) return String(x);
  const s = x.toExponential(digits);
  const i = s.indexOf('e');
  const mant = s.slice(0, i);
  const sign = s[i + 1];
  const exp = s.slice(i + 2);
  return `${mant}e${sign}${exp.length < 2 ? '0' + exp : exp}`;
}

/** Columns that always hold reals. */
const REAL_COLUMNS = new Set(['value', 'gradNorm', 'step', 'stepNorm', 'lr', 'batchValue', 'batchGradNorm', 'mu']);

function formatCell(column: string, v: HistoryValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (column === 'time') return v.toFixed(3);
  // Counts print as integers; reals (even integer-valued, like a step of 1) in
  // scientific notation for a steady layout.
  if (Number.isInteger(v) && !REAL_COLUMNS.has(column) && Math.abs(v) < 1e9) return String(v);
  return formatScientific(v);
}

/**
 * Choose the printed columns: the method's `base` columns, then any other
 * field of `row` (caller and `info` fields, in insertion order), then `time`.
 */
export function tableColumns(base: readonly string[], row: HistoryRow): string[] {
  if (!Array.isArray(base)) fail('tableColumns', `base must be an array of column names, got ${base === null ? 'null' : typeof base}`);
  if (row === null || typeof row !== 'object') fail('tableColumns', `row must be a history row, got ${row === null ? 'null' : typeof row}`);
  const cols = base.filter((c) => c !== 'time');
  for (const key of Object.keys(row)) {
    if (key === 'time' || cols.includes(key) || HIDDEN_BY_DEFAULT.has(key)) continue;
    cols.push(key);
  }
  cols.push('time');
  return cols;
}

/** Standard fields a method may leave out of its table (they stay in the history). */
const HIDDEN_BY_DEFAULT = new Set(['value', 'gradNorm', 'step', 'stepNorm', 'lsIter', 'cgIter', 'matvecs', 'evals', 'iter', 'epoch']);

/** A streaming table printer, see {@link createTablePrinter}. */
export interface TablePrinter {
  /** Print one row (the header first, on the first call). */
  row(row: HistoryRow): void;
}

/**
 * A printer that writes the header when the first row arrives (so caller
 * fields present in row 0 get a column) and then one aligned line per row.
 * Fields that first appear in later rows are not printed (they stay in the
 * history).
 * @param base the method's preferred columns, in order (e.g. `['iter', 'value', 'gradNorm', 'step', 'lsIter', 'cgIter']`)
 * @param print line sink (default `console.log`)
 * @example
 * const p = createTablePrinter(['iter', 'value'], (l) => lines.push(l));
 * p.row({ iter: 0, value: 2, ... });  // lines: ['iter  f(x)  time[s]', '   0  2.000e+00  0.000']
 */
export function createTablePrinter(base: readonly string[], print: (line: string) => void = console.log): TablePrinter {
  if (!Array.isArray(base) || !base.every((c) => typeof c === 'string')) fail('createTablePrinter', 'base must be an array of column names');
  if (typeof print !== 'function') fail('createTablePrinter', `print must be a function (line) => void, got ${typeof print}`);
  let cols: string[] | null = null;
  let widths: number[] = [];
  return {
    row(row: HistoryRow) {
      if (cols === null) {
        cols = tableColumns(base, row);
        widths = cols.map((c) => Math.max((LABELS[c] ?? c).length, INTEGER_COLUMNS.has(c) ? 4 : c === 'time' ? 8 : 10));
        print(cols.map((c, j) => (LABELS[c] ?? c).padStart(widths[j])).join('  '));
      }
      const c = cols;
      print(c.map((k, j) => formatCell(k, row[k]).padStart(widths[j])).join('  '));
    },
  };
}

/**
 * The whole history as one table string (for printing after a quiet run).
 * @param history rows as returned by any optimizer
 * @param columns leading columns (default iter, value, gradNorm, step, lsIter, cgIter); every other non-standard field of any row follows, then time
 * @example console.log(formatHistory(newtonCG(obj, x0).history));
 */
export function formatHistory(history: readonly HistoryRow[], columns?: readonly string[]): string {
  if (!Array.isArray(history)) fail('formatHistory', `history must be an array of rows (an optimizer result's history), got ${history === null ? 'null' : typeof history}`);
  if (columns !== undefined && (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string'))) fail('formatHistory', 'columns must be an array of column names');
  if (history.length === 0) return '';
  const lines: string[] = [];
  const base = columns ?? ['iter', 'value', 'gradNorm', 'step', 'lsIter', 'cgIter'];
  // Every field that appears in any row gets a column (unlike the streaming printer).
  const p = createTablePrinter(tableColumns(base, Object.assign({}, ...history) as HistoryRow), (l) => lines.push(l));
  for (const r of history) p.row(r);
  return lines.join('\n');
}
