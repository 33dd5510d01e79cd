/**
 * Explicit Runge–Kutta methods as data (Butcher tableaux), the interchangeable
 * integrators of {@link continuousResnet}: one step of dY/dt = F(θ, Y) is
 *   S_i = Y_j + h Σ_{l<i} a_il K_l,   K_i = F(θ, S_i),   i = 1 … s,
 *   Y_{j+1} = Y_j + h Σ_i b_i K_i
 * (θ is constant on each step, so the nodes c_i are not needed).
 * Forward Euler (s = 1) is the ResNet Y_{j+1} = Y_j + h σ(K_j Y_j + b_j) of the
 * lecture; RK4 is the classical fourth-order method (Hairer, Nørsett & Wanner,
 * "Solving ODEs I", §II.1).
 */
import { fail } from '../core/errors.js';

/** An explicit Runge–Kutta method: strictly lower-triangular A, weights b, order p. */
export interface ButcherTableau {
  /** Display name, e.g. `rk4`. */
  readonly name: string;
  /** a[i][l], l < i: row i holds the i coefficients of stage i (row 0 is empty). */
  readonly a: readonly (readonly number[])[];
  /** Weights b_i, Σ b_i = 1. */
  readonly b: readonly number[];
  /** Classical order of accuracy p (global error O(h^p)). */
  readonly order: number;
}

/**
 * Forward Euler, Y_{j+1} = Y_j + h F(θ_j, Y_j): order 1, one evaluation per step.
 * Its stability function is R(z) = 1 + z, stable where |1 + hλ| ≤ 1.
 * @example forwardEuler.b // [1]
 */
export const forwardEuler: ButcherTableau = Object.freeze({ name: 'forwardEuler', a: [[]], b: [1], order: 1 });

/**
 * Heun's method (explicit trapezoidal rule): K_1 = F(Y), K_2 = F(Y + h K_1),
 * Y' = Y + (h/2)(K_1 + K_2). Order 2, R(z) = 1 + z + z²/2.
 * @example heun.order // 2
 */
export const heun: ButcherTableau = Object.freeze({ name: 'heun', a: [[], [1]], b: [0.5, 0.5], order: 2 });

/**
 * The classical Runge–Kutta method: K_1 = F(Y), K_2 = F(Y + (h/2)K_1),
 * K_3 = F(Y + (h/2)K_2), K_4 = F(Y + h K_3), Y' = Y + (h/6)(K_1 + 2K_2 + 2K_3 + K_4).
 * Order 4, R(z) = 1 + z + z²/2 + z³/6 + z⁴/24.
 * @example rk4.b // [1/6, 1/3, 1/3, 1/6]
 */
export const rk4: ButcherTableau = Object.freeze({ name: 'rk4', a: [[], [0.5], [0, 0.5], [0, 0, 1]], b: [1 / 6, 1 / 3, 1 / 3, 1 / 6], order: 4 });

/** Integrator names accepted by {@link resolveTableau}. */
export type RungeKuttaName = 'forwardEuler' | 'heun' | 'rk4';

const NAMED: Record<RungeKuttaName, ButcherTableau> = { forwardEuler, heun, rk4 };

/**
 * A tableau given by name or as an object, checked.
 * @param fn calling function (for errors)
 * @param t a name or a {@link ButcherTableau}
 * @returns the tableau
 * @throws `fn: integrator 'rk5' is unknown, expected forwardEuler, heun, rk4 or a Butcher tableau`;
 *   if a row of `a` has the wrong length or b has another length than a
 * @example resolveTableau('f', 'rk4') === rk4 // true
 */
export function resolveTableau(fn: string, t: RungeKuttaName | ButcherTableau | undefined): ButcherTableau {
  if (t === undefined) return forwardEuler;
  if (typeof t === 'string') {
    const r = (NAMED as Record<string, ButcherTableau>)[t];
    if (!r) fail(fn, `integrator '${t}' is unknown, expected ${Object.keys(NAMED).join(', ')} or a Butcher tableau { a, b, order }`);
    return r;
  }
  if (!t || typeof t !== 'object' || !Array.isArray(t.a) || !Array.isArray(t.b)) fail(fn, 'integrator must be a name or a Butcher tableau { name, a, b, order }');
  const s = t.b.length;
  if (s === 0 || t.a.length !== s) fail(fn, `integrator ${t.name}: a has ${t.a.length} rows but b has ${s} weights`);
  t.a.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== i) fail(fn, `integrator ${t.name}: row ${i} of a has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${i} (explicit methods only)`);
  });
  return t;
}

/**
 * The stability function R(z) = 1 + z bᵀ(I − zA)⁻¹ 1 of an explicit method
 * at complex z = x + iy (the amplification of one step on dY/dt = λY, z = hλ):
 * g_i = 1 + z Σ_{l<i} a_il g_l by forward substitution, R = 1 + z Σ b_i g_i.
 * @param t the tableau
 * @param x real part of z
 * @param y imaginary part of z
 * @returns `[Re R(z), Im R(z)]`
 * @example stabilityFunction(forwardEuler, -1, 0) // [0, 0]: |1 + z| at z = −1
 */
export function stabilityFunction(t: ButcherTableau, x: number, y: number): [number, number] {
  t = resolveTableau('stabilityFunction', t);
  if (typeof x !== 'number' || typeof y !== 'number') fail('stabilityFunction', `x and y (the point z = x + iy) must be numbers, got ${typeof x} and ${typeof y}`);
  const s = t.b.length;
  const gr = new Float64Array(s), gi = new Float64Array(s);
  let sr = 0, si = 0;
  for (let i = 0; i < s; i++) {
    let ar = 0, ai = 0;
    for (let l = 0; l < i; l++) {
      ar += t.a[i][l] * gr[l];
      ai += t.a[i][l] * gi[l];
    }
    // g_i = 1 + z·(Σ a_il g_l)
    gr[i] = 1 + x * ar - y * ai;
    gi[i] = x * ai + y * ar;
    sr += t.b[i] * gr[i];
    si += t.b[i] * gi[i];
  }
  return [1 + x * sr - y * si, x * si + y * sr];
}
