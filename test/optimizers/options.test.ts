import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adagrad, adam, gaussNewton, lbfgs, newtonCG, sgd, steepestDescent, varpro } from '../../src/optimizers/index.js';
import type { Objective } from '../../src/objectives/types.js';
import { leastSquaresProblem, rosenbrock } from '../helpers/testObjectives.js';

const x0 = new Float64Array([4, 2]);
const throwsWith = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof Error && re.test(e.message), `expected an error matching ${re}`);

test('deterministic methods name the option and the value in their errors', () => {
  const o = rosenbrock();
  throwsWith(() => steepestDescent(o, x0, { initialStep: -1 }), /^steepestDescent: initialStep must be a positive finite number, got -1$/);
  throwsWith(() => steepestDescent(o, x0, { maxIter: 0 }), /^steepestDescent: maxIter must be a positive integer, got 0$/);
  throwsWith(() => steepestDescent(o, x0, { maxIter: 2.5 }), /^steepestDescent: maxIter must be a positive integer, got 2\.5$/);
  throwsWith(() => newtonCG(o, x0, { gradTol: -1e-3 }), /^newtonCG: gradTol must be a non-negative finite number, got -0\.001$/);
  throwsWith(() => newtonCG(o, x0, { cgMaxIter: 0 }), /^newtonCG: cgMaxIter must be a positive integer, got 0$/);
  throwsWith(() => newtonCG(o, x0, { cgTol: 0 }), /^newtonCG: cgTol \(a number or 'adaptive'\) must be a positive finite number, got 0$/);
  throwsWith(() => newtonCG(o, x0, { c1: 1 }), /^newtonCG: c1 must be in \(0, 1\), got 1$/);
  throwsWith(() => newtonCG(o, x0, { maxStep: -2 }), /^newtonCG: maxStep must be a positive number \(Infinity allowed\), got -2$/);
  throwsWith(() => newtonCG(o, x0, { stepGrowth: 0.5 }), /^newtonCG: stepGrowth must be a finite number >= 1, got 0\.5$/);
  throwsWith(() => newtonCG(o, x0, { maxIters: 3 } as never), /^newtonCG: unknown option 'maxIters' \(did you mean 'maxIter'\? known: .*maxIter.*\)$/);
  throwsWith(() => newtonCG(o, x0, { verbose: 'yes' } as never), /^newtonCG: verbose must be true or false, got 'yes'$/);
  throwsWith(() => newtonCG(o, x0, { onIteration: 3 } as never), /^newtonCG: onIteration must be a function, got 3$/);
  throwsWith(() => newtonCG(o, x0, { print: 'stdout' } as never), /^newtonCG: print must be true, false or a function \(line\) => void, got 'stdout'$/);
  throwsWith(() => gaussNewton(o, x0, { damping: 'lm' } as never), /^gaussNewton: damping must be one of 'none', 'levenbergMarquardt', got 'lm'$/);
  throwsWith(() => gaussNewton(o, x0, { damping: 'levenbergMarquardt', mu0: -1 }), /^gaussNewton: mu0 must be a positive finite number, got -1$/);
  throwsWith(() => lbfgs(o, x0, { memory: 0 }), /^lbfgs: memory must be a positive integer, got 0$/);
  throwsWith(() => lbfgs(o, x0, { c2: 1e-5 }), /^lbfgs: c2 must be in \(0\.0001, 1\), got 0\.00001$/);
  throwsWith(() => lbfgs(o, x0, { lineSearch: 'exact' } as never), /^lbfgs: lineSearch must be one of 'wolfe', 'armijo', got 'exact'$/);
  throwsWith(() => varpro(o, x0, { method: 'bfgs' } as never), /^varpro: method must be one of 'gaussNewton', 'newtonCG', 'steepestDescent', 'lbfgs', 'nonlinearCG', got 'bfgs'$/);
  throwsWith(() => varpro(o, x0, { method: 'lbfgs', memory: -3 }), /^varpro: memory must be a positive integer, got -3$/);
  throwsWith(() => varpro(o, x0, { method: 'gaussNewton', memory: 3 }), /^varpro: unknown option 'memory'/);
});

test('the problem itself is checked: x0 type and length, the objective shape', () => {
  const o = rosenbrock();
  throwsWith(() => newtonCG(o, new Float64Array(3)), /^newtonCG: x0 has length 3, expected 2$/);
  throwsWith(() => lbfgs(o, [4, 2] as never), /^lbfgs: x0 must be a Float64Array, got Array$/);
  throwsWith(() => steepestDescent({ nParams: 2 } as never, x0), /^steepestDescent: objective must have an evaluate\(x, batch\?, opts\?\) method$/);
  throwsWith(() => sgd({ nParams: -1, evaluate: o.evaluate } as Objective, x0), /^sgd: objective\.nParams must be a non-negative integer, got -1$/);
});

test('stochastic methods reject a zero or too large batch, a negative rate, bad schedules and momentum', () => {
  const p = leastSquaresProblem(4, 100, 3);
  const z = new Float64Array(3);
  throwsWith(() => sgd(p.objective, z, { batchSize: 0 }), /^sgd: batchSize must be a positive integer, got 0$/);
  throwsWith(() => sgd(p.objective, z, { batchSize: 101 }), /^sgd: batchSize must be <= objective\.nData = 100, got 101$/);
  throwsWith(() => sgd(p.objective, z, { lr: -0.1 }), /^sgd: lr must be a positive finite number, got -0\.1$/);
  throwsWith(() => sgd(p.objective, z, { lr: NaN }), /^sgd: lr must be a positive finite number, got NaN$/);
  throwsWith(() => sgd(p.objective, z, { maxEpochs: 0 }), /^sgd: maxEpochs must be a positive integer, got 0$/);
  throwsWith(() => sgd(p.objective, z, { momentum: 1 }), /^sgd: momentum must be in \[0, 1\), got 1$/);
  throwsWith(() => sgd(p.objective, z, { nesterov: true }), /^sgd: nesterov needs momentum > 0, got momentum 0$/);
  throwsWith(() => sgd(p.objective, z, { schedule: { type: 'step', factor: 2, every: 3 } }), /^sgd: schedule\.factor must be in \(0, 1\], got 2$/);
  throwsWith(() => sgd(p.objective, z, { schedule: { type: 'step', factor: 0.5, every: 0 } }), /^sgd: schedule\.every must be a positive integer, got 0$/);
  throwsWith(() => sgd(p.objective, z, { schedule: 'cosine' } as never), /^sgd: schedule must be 'constant', \{ type: 'step', factor, every \}, \{ type: 'inverse', decay \} or a function/);
  throwsWith(() => sgd(p.objective, z, { schedule: () => -1 }), /^sgd: the learning-rate schedule gave -1 at epoch 0, expected a finite number >= 0$/);
  throwsWith(() => sgd(p.objective, z, { monitor: 1000 }), /^sgd: monitor sample size must be <= objective\.nData = 100, got 1000$/);
  throwsWith(() => sgd(p.objective, z, { monitor: [0, 100] }), /^sgd: monitor index 1 is 100, expected an integer in \[0, 100\)$/);
  throwsWith(() => adam(p.objective, z, { beta1: 1 }), /^adam: beta1 must be in \[0, 1\), got 1$/);
  throwsWith(() => adam(p.objective, z, { beta2: -0.1 }), /^adam: beta2 must be in \[0, 1\), got -0\.1$/);
  throwsWith(() => adam(p.objective, z, { epsilon: 0 }), /^adam: epsilon must be a positive finite number, got 0$/);
  throwsWith(() => adagrad(p.objective, z, { batchsize: 3 } as never), /^adagrad: unknown option 'batchsize'/);
  const noData: Objective = { nParams: 3, evaluate: p.objective.evaluate };
  throwsWith(() => adam(noData, z, { batchSize: 4 }), /^adam: batchSize needs objective\.nData, but this objective has no examples to batch$/);
});
