/**
 * Recording a run: the history rows, the caller's callback (extra fields or
 * `false` to stop), the live table, the clock, and counting the evaluations
 * and Hessian mat-vecs an optimizer asks of its objective.
 */
import { NumdlError, fail } from '../core/errors.js';
import type { Evaluation, EvaluateOptions, Objective } from '../objectives/types.js';
import { createTablePrinter, type TablePrinter } from './printer.js';
import type { CommonOptions, HistoryRow, HistoryValue, IterationCallback, OptimizerResult } from './types.js';

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
    // The row belongs to the history before the callback runs: if the callback
    // throws, the run stops with status 'error' and this (good) point is its last row.
    this.rows.push(row);
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
 * counted (the optimizer reports them in its history) and checked against the
 * {@link Objective} contract: a finite-or-not number as value, a Float64Array
 * gradient of length `nParams` (unless `valueOnly`), a function as `hessian`,
 * Hessian products of length `nParams`. A violation throws a `NumdlError`
 * (code `badObjective`) naming `fn` and `nParams`; one on the first evaluation
 * or the first Hessian product carries `values.first = true` and is rethrown by
 * {@link stopOnException} (a broken objective, nothing to lose yet). Starting
 * a run also calls the objective's `resetState` (see {@link Objective}), so a
 * run depends only on its inputs.
 * @param fn the optimizer's name, for messages (default `'optimizer'`)
 * @example const c = countingObjective(obj); c.evaluate(x); c.evals // 1
 */
export function countingObjective(objective: Objective, fn = 'optimizer'): CountingObjective {
  const n = objective.nParams;
  let gradientsChecked = 0, productsChecked = 0;
  const broken = (what: string, first: boolean): never =>
    fail(fn, `the objective's ${what}, expected nParams = ${n}${first ? '' : ' (it was right on earlier calls)'}`, 'badObjective', { nParams: n, first });
  objective.resetState?.();
  const c: CountingObjective = {
    nParams: n,
    nData: objective.nData,
    evals: 0,
    matvecs: 0,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      c.evals++;
      const ev = objective.evaluate(x, batch, opts);
      if (ev === null || typeof ev !== 'object' || typeof ev.value !== 'number') {
        broken(`evaluate returned ${ev === null || typeof ev !== 'object' ? String(ev) : `a value of type ${typeof ev.value}`} instead of { value: number, gradient: Float64Array }`, c.evals === 1);
      }
      if (opts?.valueOnly !== true) {
        const g: unknown = ev.gradient;
        const first = gradientsChecked++ === 0;
        if (!(g instanceof Float64Array)) return broken(`gradient is ${g === undefined ? 'missing' : `a ${(g as object)?.constructor?.name ?? typeof g}`}, not a Float64Array of length nParams`, first);
        if (g.length !== n) broken(`gradient has length ${g.length}`, first);
      }
      if (ev.hessian !== undefined) {
        const h = ev.hessian;
        if (typeof h !== 'function') broken(`hessian is a ${typeof h}, not a function v => H v`, c.evals === 1);
        return {
          ...ev,
          hessian: (v: Float64Array) => {
            c.matvecs++;
            const Hv: unknown = h(v);
            const first = productsChecked++ === 0;
            if (!(Hv instanceof Float64Array)) return broken(`Hessian product is ${Hv === undefined ? 'undefined' : `a ${(Hv as object)?.constructor?.name ?? typeof Hv}`}, not a Float64Array of length nParams`, first);
            if (Hv.length !== n) broken(`Hessian product has length ${Hv.length}`, first);
            return Hv;
          },
        };
      }
      return ev;
    },
  };
  return c;
}

/** True for the errors {@link stopOnException} lets through: a contract violation on first use. */
function thrownAtStart(e: unknown): boolean {
  return e instanceof NumdlError && e.code === 'badObjective' && e.values.first === true;
}

/**
 * The one mechanism by which every optimizer keeps its run when something
 * throws: run `body`; if the objective, a Hessian product, a callback or the
 * printer throws, return `stopped(error, message)` instead — the method's
 * result with status `error`, the exception attached and the last good
 * iterate (see `OptimizerStatus`). Contract violations on the first
 * evaluation or Hessian product are rethrown (a bug in the objective, found
 * before any work was done).
 * @internal
 */
export function stopOnException<R extends OptimizerResult>(fn: string, body: () => R, stopped: (error: unknown, message: string) => R): R {
  try {
    return body();
  } catch (e) {
    if (thrownAtStart(e)) throw e;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const result = stopped(e, `${fn}: stopped by an exception (${what}); returning the last good iterate`);
    result.error = e;
    return result;
  }
}

/** True when the value and every gradient entry are finite. */
export function isFiniteEvaluation(ev: Evaluation): boolean {
  if (!Number.isFinite(ev.value)) return false;
  const g = ev.gradient;
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return false;
  return true;
}
