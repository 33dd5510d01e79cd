/**
 * A text progress bar for the examples' epochs, on stderr, no dependency.
 */
import { checkPositiveInt, checkSize, fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Text in front of the bar, e.g. 'epoch 3'. */
  label?: string;
  /** Bar width in characters. Default 30. */
  width?: number;
  /** Where to write. Default `process.stderr`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Least time between redraws in ms. Default 100. */
  minIntervalMs?: number;
}

/** A running progress bar. */
export interface ProgressBar {
  /** Advance by `steps` (default 1); `info` is shown after the bar (e.g. the loss). */
  tick(steps?: number, info?: string): void;
  /** Set the absolute progress. */
  update(done: number, info?: string): void;
  /** Draw the final state and end the line. Further calls are ignored. */
  finish(info?: string): void;
  /** Current progress. */
  readonly done: number;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/**
 * A progress bar `label [#####.....] done/total pct elapsed eta info`. On a
 * terminal it redraws one line with `\r` (at most every `minIntervalMs`); when
 * the stream is not a terminal (a log file, CI) it writes only the final line,
 * so logs stay readable.
 * @param total number of steps (e.g. mini-batches in an epoch)
 * @param options `{ label = '', width = 30, stream = process.stderr, minIntervalMs = 100 }`
 * @returns `{ tick(steps?, info?), update(done, info?), finish(info?), done }`
 * @throws if `total` is not a non-negative integer
 * @example const bar = progressBar(batches, { label: 'epoch 1' }); for (...) bar.tick(1, `loss ${f.toFixed(3)}`); bar.finish();
 */
export function progressBar(total: number, options: ProgressBarOptions = {}): ProgressBar {
  const fn = 'progressBar';
  checkOptions(fn, options, ['label', 'width', 'stream', 'minIntervalMs']);
  checkSize(fn, 'total', total);
  const width = checkPositiveInt(fn, 'width', options.width ?? 30);
  const stream = options.stream ?? process.stderr;
  if (!stream || typeof stream.write !== 'function') fail(fn, 'stream must be a writable stream');
  const tty = stream.isTTY === true;
  const minInterval = options.minIntervalMs ?? 100;
  const label = options.label ? `${options.label} ` : '';
  const start = Date.now();
  let done = 0;
  let lastDraw = -Infinity;
  let lastInfo = '';
  let finished = false;

  const line = (info: string): string => {
    const frac = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(frac * width);
    const elapsed = Date.now() - start;
    const eta = frac > 0 && frac < 1 ? ` eta ${seconds((elapsed * (1 - frac)) / frac)}` : '';
    const digits = String(total).length;
    return `${label}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(digits)}/${total} ${String(Math.round(frac * 100)).padStart(3)}% ${seconds(elapsed)}${eta}${info ? `  ${info}` : ''}`;
  };
  const draw = (force: boolean) => {
    if (!tty) return;
    const now = Date.now();
    if (!force && now - lastDraw < minInterval) return;
    lastDraw = now;
    stream.write(`\r${line(lastInfo)}\x1b[K`);
  };
  return {
    tick(steps = 1, info?: string) {
      if (finished) return;
      done += steps;
      if (info !== undefined) lastInfo = info;
      draw(false);
    },
    update(value: number, info?: string) {
      if (finished) return;
      done = value;
      if (info !== undefined) lastInfo = info;
      draw(false);
    },
    finish(info?: string) {
      if (finished) return;
      finished = true;
      if (info !== undefined) lastInfo = info;
      stream.write(`${tty ? '\r' : ''}${line(lastInfo)}${tty ? '\x1b[K' : ''}\n`);
    },
    get done() {
      return done;
    },
  };
}
