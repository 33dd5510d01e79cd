import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTablePrinter } from '../../src/internals.js';
import { adam, formatHistory, formatScientific, newtonCG } from '../../src/optimizers/index.js';
import { rosenbrock, leastSquaresProblem } from '../helpers/testObjectives.js';

test('formatScientific: fixed mantissa digits and a two-digit exponent', () => {
  assert.equal(formatScientific(12345.678), '1.235e+04');
  assert.equal(formatScientific(-0.000123), '-1.230e-04');
  assert.equal(formatScientific(0), '0.000e+00');
  assert.equal(formatScientific(1e-300), '1.000e-300');
  assert.equal(formatScientific(NaN), 'NaN');
  assert.equal(formatScientific(Math.PI, 1), '3.1e+00');
});

test('a print sink (or verbose) prints a header once and one aligned row per iteration, with caller fields as columns', () => {
  const lines: string[] = [];
  const r = newtonCG(rosenbrock(), new Float64Array([4, 2]), { print: (l) => lines.push(l), onIteration: (_row, x) => ({ x1: x[0] }) });
  assert.equal(lines.length, r.history.length + 1);
  assert.match(lines[0], /^\s*iter\s+f\(x\)\s+\|grad\|\s+step\s+LS\s+CG\s+cgRelres\s+x1\s+time\[s\]$/);
  assert.equal(lines.filter((l) => /iter/.test(l)).length, 1, 'header once');
  const widths = new Set(lines.map((l) => l.length));
  assert.equal(widths.size, 1, 'all lines have the same width');
  assert.match(lines[1], /^\s+0\s+1\.961e\+04\s+2\.258e\+04\s+0\.000e\+00\s+0\s+0\s+4\s+\d+\.\d{3}$/);
  assert.match(lines[2], /^\s+1\s+\d\.\d{3}e[+-]\d\d/);
});

test('printing is off by default; verbose or print: true use console.log; quiet wins; stochastic methods print one row per epoch', () => {
  const logged: unknown[] = [];
  const original = console.log;
  console.log = (...a: unknown[]) => { logged.push(a); };
  try {
    newtonCG(rosenbrock(), new Float64Array([4, 2]));
    newtonCG(rosenbrock(), new Float64Array([4, 2]), { verbose: true, quiet: true });
    newtonCG(rosenbrock(), new Float64Array([4, 2]), { print: () => {}, quiet: true });
    assert.equal(logged.length, 0);
    newtonCG(rosenbrock(), new Float64Array([4, 2]), { verbose: true, maxIter: 2 });
    newtonCG(rosenbrock(), new Float64Array([4, 2]), { print: true, maxIter: 2 });
  } finally {
    console.log = original;
  }
  assert.equal(logged.length, 2 * 4, 'verbose and print: true go to console.log');
  const lines: string[] = [];
  const p = leastSquaresProblem();
  adam(p.objective, new Float64Array(p.n), { maxEpochs: 3, verbose: true, print: (l) => lines.push(l) });
  assert.equal(lines.length, 1 + 4);
  assert.match(lines[0], /iter\s+f\(x\)\s+\|grad\|\s+lr\s+batchValue/);
});

test('formatHistory renders a finished history; createTablePrinter streams rows', () => {
  const r = newtonCG(rosenbrock(), new Float64Array([4, 2]), { maxIter: 3 });
  const table = formatHistory(r.history, ['iter', 'value', 'gradNorm']).split('\n');
  assert.equal(table.length, 5);
  assert.match(table[0], /^iter\s+f\(x\)\s+\|grad\|\s+cgFlag\s+cgRelres\s+fallback\s+time\[s\]$/);
  assert.match(table[1], /converged|maxIter|negativeCurvature|^\s+0/);
  const out: string[] = [];
  const pr = createTablePrinter(['iter', 'value'], (l) => out.push(l));
  pr.row(r.history[0]);
  pr.row(r.history[1]);
  assert.equal(out.length, 3);
});
