/**
 * The lecture's reference results as data: `examples/reference/lecture-octave.json`
 * holds what the lecture's own code (NumDL-MATLAB, the commit named there)
 * produced in GNU Octave, with its source. The examples cite these numbers
 * in their tables ("lecture" columns) and name the source in their output.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One reference run of the lecture's code. Errors in percent, as the lecture's scripts print them. */
export interface LectureRun {
  /** The numdl example that reproduces it. */
  example: string;
  /** The example's method key. */
  method: string;
  wallSeconds?: number;
  objective?: number;
  trainError?: number;
  valError?: number;
  iterations?: number;
  notes?: string;
}

/** The file: its description, its source, and the runs by script name (`EELM_Peaks:sin`, `EELM_MNIST`, …). */
export interface LectureReference {
  description: string;
  source: { code: string; commit: string; octave: string; precision: string; machine: string; short: string };
  runs: Record<string, LectureRun>;
}

/** Where the reference data lives. */
export const LECTURE_REFERENCE_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'reference', 'lecture-octave.json');

let cached: LectureReference | null = null;

/** The reference data (read once). */
export function lectureReference(): LectureReference {
  cached ??= JSON.parse(readFileSync(LECTURE_REFERENCE_FILE, 'utf8')) as LectureReference;
  return cached;
}

/** One run by its script name; throws naming the script when it is not in the file. */
export function lectureRun(script: string): LectureRun {
  const run = lectureReference().runs[script];
  if (!run) throw new Error(`lectureRun: no reference run '${script}' in ${LECTURE_REFERENCE_FILE}`);
  return run;
}

/** The reference validation accuracy as table text, e.g. `96.90 %`. */
export function lectureValAccuracy(script: string): string {
  const e = lectureRun(script).valError;
  return e === undefined ? '-' : `${(100 - e).toFixed(2)} %`;
}

/** The reference validation error as table text, e.g. `8.11 %`. */
export function lectureValError(script: string): string {
  const e = lectureRun(script).valError;
  return e === undefined ? '-' : `${e.toFixed(2)} %`;
}

/** The line that names the source, for the examples' output: `lecture: its own code (NumDL-MATLAB 2aadb68) in GNU Octave 7.3.0, double (…)`. */
export function lectureSource(): string {
  const s = lectureReference().source;
  return `lecture: its own code (NumDL-MATLAB ${s.commit.slice(0, 7)}) in ${s.octave.replace(/ \(.*\)$/, '')}, ${s.precision} (examples/reference/lecture-octave.json)`;
}
