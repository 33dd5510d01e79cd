/**
 * The playground's whole configuration — data, network, optimizer — as one
 * flat record, with its defaults, its validation and its URL encoding.
 *
 * Pure (no DOM, no numdl): the page, the worker and the Node tests share it.
 * The URL holds every field (`?data=peaks&n=1000&…`), so a link reproduces a
 * run exactly: all randomness flows from `seed`.
 */

/** The data sets. Peaks has 5 classes, the others 2. */
export const DATASETS = ['peaks', 'spirals', 'moons', 'circles', 'xor'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** The time-step types (the ODE each network discretises). */
export const STEPS = ['resnet', 'antisymmetric', 'hamiltonian', 'parabolic', 'hyperbolic'] as const;
export type StepType = (typeof STEPS)[number];

/** Activations σ (numdl's names). */
export const ACTIVATIONS = ['tanh', 'relu', 'smoothRelu', 'sin'] as const;
export type ActivationChoice = (typeof ACTIVATIONS)[number];

/** Optimizers. */
export const OPTIMIZERS = ['sgd', 'adam', 'newtonCG', 'gaussNewton', 'varpro', 'lbfgs'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Human-readable labels. */
export const LABELS: Readonly<Record<DatasetName | StepType | ActivationChoice | OptimizerName, string>> = {
  peaks: 'Peaks (5 classes)',
  spirals: 'Two spirals',
  moons: 'Two moons',
  circles: 'Circles',
  xor: 'XOR',
  resnet: 'ResNet (forward Euler)',
  antisymmetric: 'Antisymmetric K − Kᵀ − γI',
  hamiltonian: 'Hamiltonian (Verlet)',
  parabolic: 'Parabolic −Kᵀσ(KY + b)',
  hyperbolic: 'Hyperbolic (leapfrog)',
  tanh: 'tanh',
  relu: 'ReLU',
  smoothRelu: 'smooth ReLU',
  sin: 'sin',
  sgd: 'SGD (momentum)',
  adam: 'ADAM',
  newtonCG: 'Newton-CG',
  gaussNewton: 'Gauss-Newton (LM)',
  varpro: 'VarPro',
  lbfgs: 'L-BFGS',
};

/** Everything a run depends on. */
export interface PlaygroundConfig {
  // Data
  dataset: DatasetName;
  /** Number of points, training and validation together. */
  points: number;
  /** Standard deviation of the Gaussian jitter added to the points (units of the [−3, 3]² square). */
  noise: number;
  /** Share of the points held out for validation, in (0, 1). */
  valSplit: number;
  seed: number;
  // Network
  /** Width m of the opening layer 2 → m and of every step. */
  width: number;
  /** Number of time steps N. */
  depth: number;
  /** Final time T; the step is h = T/N. */
  T: number;
  step: StepType;
  /** Damping γ of the antisymmetric step K − Kᵀ − γI. */
  gamma: number;
  activation: ActivationChoice;
  /** Tikhonov regularisation λ on θ and W ((λ/2)‖·‖²). */
  lambda: number;
  // Optimizer
  optimizer: OptimizerName;
  /** Iterations (epochs for SGD and ADAM). */
  iterations: number;
  /** CG iterations per Newton step (Newton-CG, Gauss-Newton, VarPro). */
  cgMaxIter: number;
  /** Learning rate (SGD, ADAM). */
  lr: number;
  /** Momentum β (SGD). */
  momentum: number;
  /** Mini-batch size (SGD, ADAM). */
  batchSize: number;
  /** Halve the learning rate every this many epochs (0: constant). */
  lrHalving: number;
  /** Stored pairs (L-BFGS). */
  memory: number;
}

/** The flagship: Peaks, ResNet width 8, N = 16, T = 4, tanh, Newton-CG. */
export const DEFAULT_CONFIG: Readonly<PlaygroundConfig> = Object.freeze({
  dataset: 'peaks',
  points: 1500,
  noise: 0,
  valSplit: 0.3,
  seed: 1,
  width: 8,
  depth: 16,
  T: 4,
  step: 'resnet',
  gamma: 0.05,
  activation: 'tanh',
  lambda: 1e-5,
  optimizer: 'newtonCG',
  iterations: 50,
  cgMaxIter: 10,
  lr: 0.1,
  momentum: 0.9,
  batchSize: 32,
  lrHalving: 10,
  memory: 10,
});

/** The settings that change with the optimizer (chosen when the optimizer is switched). */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerName, Partial<PlaygroundConfig>>> = {
  sgd: { iterations: 50, lr: 0.1, momentum: 0.9, batchSize: 32, lrHalving: 10 },
  adam: { iterations: 50, lr: 0.02, batchSize: 32, lrHalving: 10 },
  newtonCG: { iterations: 50, cgMaxIter: 10 },
  gaussNewton: { iterations: 50, cgMaxIter: 10 },
  varpro: { iterations: 25, cgMaxIter: 10 },
  lbfgs: { iterations: 300, memory: 10 },
};

/** Which optimizer settings matter for which optimizer (the page shows only those). */
export const OPTIMIZER_FIELDS: Readonly<Record<OptimizerName, readonly (keyof PlaygroundConfig)[]>> = {
  sgd: ['iterations', 'lr', 'momentum', 'batchSize', 'lrHalving'],
  adam: ['iterations', 'lr', 'batchSize', 'lrHalving'],
  newtonCG: ['iterations', 'cgMaxIter'],
  gaussNewton: ['iterations', 'cgMaxIter'],
  varpro: ['iterations', 'cgMaxIter'],
  lbfgs: ['iterations', 'memory'],
};

/** How a numeric field is checked: bounds and whether it must be an integer. */
interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** The lower bound itself is not allowed. */
  openMin?: boolean;
}

/** Bounds of every numeric field (what the page's inputs allow too). */
export const NUMBER_RULES: Readonly<Record<string, NumberRule>> = {
  points: { min: 20, max: 20000, integer: true },
  noise: { min: 0, max: 3 },
  valSplit: { min: 0.05, max: 0.9 }, // with points ≥ 20: at least 1 validation and 2 training points
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  width: { min: 2, max: 64, integer: true },
  depth: { min: 1, max: 256, integer: true },
  T: { min: 0, max: 100, openMin: true },
  gamma: { min: 0, max: 10 },
  lambda: { min: 0, max: 10 },
  iterations: { min: 1, max: 100000, integer: true },
  cgMaxIter: { min: 1, max: 500, integer: true },
  lr: { min: 0, max: 100, openMin: true },
  momentum: { min: 0, max: 0.999 },
  batchSize: { min: 1, max: 20000, integer: true },
  lrHalving: { min: 0, max: 100000, integer: true },
  memory: { min: 1, max: 100, integer: true },
};

/** The short URL key of every field (stable: links depend on them). */
export const URL_KEYS: Readonly<Record<keyof PlaygroundConfig, string>> = {
  dataset: 'data',
  points: 'n',
  noise: 'noise',
  valSplit: 'val',
  seed: 'seed',
  width: 'width',
  depth: 'N',
  T: 'T',
  step: 'step',
  gamma: 'gamma',
  activation: 'act',
  lambda: 'lambda',
  optimizer: 'opt',
  iterations: 'iters',
  cgMaxIter: 'cg',
  lr: 'lr',
  momentum: 'mom',
  batchSize: 'batch',
  lrHalving: 'halve',
  memory: 'mem',
};

const CHOICES: Partial<Record<keyof PlaygroundConfig, readonly string[]>> = {
  dataset: DATASETS,
  step: STEPS,
  activation: ACTIVATIONS,
  optimizer: OPTIMIZERS,
};

/** Is `v` an allowed value of the numeric field `key`? Returns the reason if not. */
function numberProblem(key: string, v: number): string | null {
  const r = NUMBER_RULES[key];
  if (!Number.isFinite(v)) return `${key} must be a finite number, got ${v}`;
  if (r.integer && !Number.isInteger(v)) return `${key} must be an integer, got ${v}`;
  if (r.openMin ? v <= r.min : v < r.min) return `${key} must be ${r.openMin ? '>' : '≥'} ${r.min}, got ${v}`;
  if (v > r.max) return `${key} must be ≤ ${r.max}, got ${v}`;
  return null;
}

/**
 * Check a whole configuration.
 * @returns the problems found, one sentence each (empty when valid)
 * @example validateConfig({ ...DEFAULT_CONFIG, depth: 0 }) // ['depth must be ≥ 1, got 0']
 */
export function validateConfig(c: PlaygroundConfig): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(URL_KEYS) as (keyof PlaygroundConfig)[]) {
    const v = c[key];
    const choices = CHOICES[key];
    if (choices) {
      if (!choices.includes(v as string)) problems.push(`${key} must be one of ${choices.join(', ')}, got ${String(v)}`);
    } else if (typeof v !== 'number') {
      problems.push(`${key} must be a number, got ${typeof v}`);
    } else {
      const p = numberProblem(key, v);
      if (p) problems.push(p);
    }
  }
  return problems;
}

/** Number of classes of a data set. */
export function classCount(dataset: DatasetName): number {
  return dataset === 'peaks' ? 5 : 2;
}

/** The step size h = T/N. */
export function stepSize(c: Pick<PlaygroundConfig, 'T' | 'depth'>): number {
  return c.T / c.depth;
}

/**
 * The URL query string of a configuration (every field, fixed order).
 * @example configToQuery(DEFAULT_CONFIG) // 'data=peaks&n=1500&noise=0&…'
 */
export function configToQuery(c: PlaygroundConfig): string {
  const parts: string[] = [];
  for (const [key, short] of Object.entries(URL_KEYS) as [keyof PlaygroundConfig, string][]) {
    parts.push(`${short}=${encodeURIComponent(String(c[key]))}`);
  }
  return parts.join('&');
}

/** What {@link configFromQuery} returns. */
export interface ParsedConfig {
  config: PlaygroundConfig;
  /** Fields that were present but invalid (they keep their default), one sentence each. */
  warnings: string[];
}

/**
 * Read a configuration from a URL query string. Missing fields take their
 * defaults; invalid ones too, with a warning (a shared link never breaks the page).
 * @param query `location.search` (with or without the leading `?`)
 */
export function configFromQuery(query: string): ParsedConfig {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const config: PlaygroundConfig = { ...DEFAULT_CONFIG };
  const warnings: string[] = [];
  const target = config as unknown as Record<string, string | number>;
  for (const [key, short] of Object.entries(URL_KEYS) as [keyof PlaygroundConfig, string][]) {
    const raw = params.get(short);
    if (raw === null) continue;
    const choices = CHOICES[key];
    if (choices) {
      if (choices.includes(raw)) target[key] = raw;
      else warnings.push(`${short}=${raw}: must be one of ${choices.join(', ')}; using ${String(config[key])}`);
      continue;
    }
    const v = raw.trim() === '' ? NaN : Number(raw);
    const p = numberProblem(key, v);
    if (p) warnings.push(`${short}=${raw}: ${p}; using ${String(config[key])}`);
    else target[key] = v;
  }
  return { config, warnings };
}
