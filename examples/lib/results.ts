/**
 * Regenerate the committed results from one command (`npm run results`):
 * every example's recorded configuration is run with `--write-results`
 * (its section of examples/RESULTS.md and examples/results/<name>.json),
 * shortest first, the longest last, then README.md's generated tables
 * (`npm run readme`).
 *
 *   npm run results                          # everything (about an hour on 2 shared cores)
 *   npm run results -- --only elm-peaks,single-layer-peaks
 *   npm run results -- --skip mnist-cnn
 *   npm run results -- --list                # the commands, nothing run
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './readme.js';

/** Each example's recorded run: its arguments (besides `--write-results`), shortest first. */
export const RECORDED: [name: string, args: string[]][] = [
  ['conv-exercises', ['--n', '16', '--seed', '1']],
  ['conditioning', ['--seed', '1']],
  ['resnet-peaks', []],
  ['single-layer-landscape', ['--seed', '1']],
  ['resnet-vs-nn', ['--seed', '1']],
  ['linear-vs-nonlinear', []],
  ['resnet-stability', []],
  ['wavelet', []],
  ['nonlinear-cg', []],
  ['peaks-stable', []],
  ['resnet-depth', []],
  ['mnist-parabolic', []],
  ['elm-peaks', ['--protocol', 'all', '--seeds', '1-5']],
  ['single-layer-peaks', ['--protocol', 'all', '--seeds', '1-5']],
  ['elm-mnist', ['--seeds', '1-5']],
  ['mnist-cnn', ['--epochs', '2', '--sample', '5000']],
];

function main(): number {
  let values: { only?: string; skip?: string; list?: boolean };
  try {
    values = parseArgs({ options: { only: { type: 'string' }, skip: { type: 'string' }, list: { type: 'boolean' } }, strict: true }).values;
  } catch (e) {
    console.error(`results: ${(e as Error).message.split('\n')[0]} (options: --only LIST, --skip LIST, --list)`);
    return 1;
  }
  const names = new Set(RECORDED.map(([n]) => n));
  const pick = (s: string | undefined) => (s === undefined ? null : s.split(',').map((x) => x.trim()));
  const only = pick(values.only), skip = pick(values.skip) ?? [];
  for (const n of [...(only ?? []), ...skip]) {
    if (!names.has(n)) {
      console.error(`results: unknown example '${n}' (known: ${[...names].join(', ')})`);
      return 1;
    }
  }
  const runs = RECORDED.filter(([n]) => (only === null || only.includes(n)) && !skip.includes(n));
  for (const [name, args] of runs) {
    const argv = ['--import', 'tsx', join('examples', `${name}.ts`), ...args, '--write-results'];
    console.log(`\n$ node ${argv.join(' ')}`);
    if (values.list) continue;
    const r = spawnSync(process.execPath, argv, { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`results: ${name} failed (exit ${r.status}); the results written so far are kept`);
      return 1;
    }
  }
  if (values.list) return 0;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('examples', 'lib', 'readme.ts')], { cwd: ROOT, stdio: 'inherit' });
  return r.status ?? 1;
}

process.exitCode = main();
