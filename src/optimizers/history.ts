/**
 * Recording a run: the history rows, the caller's callback (extra fields or
 * `false` to stop), the live table, the clock, and counting the evaluations
 * and Hessian mat-vecs an optimizer asks of its objective.
 */
import type { Evaluation, EvaluateOptions, Objective } from '../objectives/types.js';
import { createTablePrinter, type TablePrinter } from './printer.js';
import type { CommonOptions, HistoryRow, HistoryValue, IterationCallback } from './types.js';

/** Fields every row has; caller and `info` fields never overwrite them. */
const CORE_FIELDS = new Set(['iter', 'value', 'gradNorm', 'step', 'stepNorm', 'lsIter', 'cgIter', 'matvecs', 'evals', 'time']);

/** A row before the clock is read. */
export type RowData = Omit<HistoryRow, 'time'>;

/**
 * Keeps the history of one run; see {@link HistoryRow} for the columns.
 * Internal to the optimizers (exported for custom drivers).
 */
export class Recorder {
  /** The rows so far. */
  readonly rows: HistoryRow[] = [];
  private readonly t0 = performance.now();
  private readonly printer: TablePrinter | null;
  private readonly callback: IterationCallback | undefined;

  /**
   * @param opts the common options (callback, verbose/quiet, print sink)
   * @param columns the method's preferred table columns
   * @param callback the callback that may extend rows (default `opts.onIteration`; `null` for none)
   */
  constructor(opts: CommonOptions, columns: readonly string[], callback?: IterationCallback | null) {
    const sink = typeof opts.print === 'function' ? opts.print : console.log;
    const show = (opts.verbose === true || opts.print === true || typeof opts.print === 'function') && opts.quiet !== true;
    this.printer = show ? createTablePrinter(columns, sink) : null;
    this.callback = callback === undefined ? opts.onIteration : callback ?? undefined;
  }

  /** Seconds since the recorder was made. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /**
   * Append a row: merge the numeric/string `info` fields, stamp the time, call
   * the callback (merging what it returns), print it.
   * @returns `false` if the callback asked to stop, else `true`
   */
  record(data: RowData, x: Float64Array, info?: Record<string, unknown>): boolean {
    const row = { ...data } as HistoryRow;
    if (info) mergeFields(row, info);
    row.time = this.elapsed();
    let go = true;
    if (this.callback) {
      const extra = this.callback(row, x);
      if (extra === false) go = false;
      else if (extra && typeof extra === 'object') {
        // `{ ...fields, stop: true }` records the fields and then stops.
        const { stop, ...fields } = extra as Record<string, unknown>;
        mergeFields(row, fields);
        if (stop === true) go = false;
      }
    }
    this.rows.push(row);
    this.printer?.row(row);
    return go;
  }
}

function mergeFields(row: HistoryRow, extra: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(extra)) {
    if (CORE_FIELDS.has(k)) continue;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') row[k] = v as HistoryValue;
  }
}

/** An objective wrapper that counts evaluations and Hessian mat-vecs. */
export interface CountingObjective extends Objective {
  /** Evaluations so far. */
  evals: number;
  /** Hessian mat-vecs so far. */
  matvecs: number;
}

/**
 * Wrap `objective` so calls to `evaluate` and to the returned `hessian` are
 * counted (the optimizer reports them in its history).
 * @example const c = countingObjective(obj); c.evaluate(x); c.evals // 1
 */
export function countingObjective(objective: Objective): CountingObjective {
  const c: CountingObjective = {
    nParams: objective.nParams,
    nData: objective.nData,
    evals: 0,
    matvecs: 0,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      c.evals++;
      const ev = objective.evaluate(x, batch, opts);
      if (ev.hessian) {
        const h = ev.hessian;
        return { ...ev, hessian: (v: Float64Array) => { c.matvecs++; return h(v); } };
      }
      return ev;
    },
  };
  return c;
}

/** True when the value and every gradient entry are finite. */
export function isFiniteEvaluation(ev: Evaluation): boolean {
  if (!Number.isFinite(ev.value)) return false;
  const g = ev.gradient;
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return false;
  return true;
}
