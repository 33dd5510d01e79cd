/**
 * The networks of the playground, built from numdl like any user would, and
 * the two views that treat them as ODEs: the feature trajectory Y(t) through
 * depth and the spectrum of each linearised time step against the stability
 * region of its integrator.
 *
 * Every network opens with Y₀ = σ(K_o Y + b_o) (2 → m) and takes N steps of
 * size h = T/N (Haber & Ruthotto 2017, "Stable architectures for deep neural
 * networks"; Ruthotto & Haber 2018, "Deep neural networks motivated by PDEs"):
 * - resnet:        Y_{j+1} = Y_j + h σ(K_j Y_j + b_j)                     (forward Euler)
 * - antisymmetric: Y_{j+1} = Y_j + h σ((K_j − K_jᵀ − γI) Y_j + b_j)       (forward Euler)
 * - parabolic:     Y_{j+1} = Y_j − h K_jᵀ σ(K_j Y_j + b_j)                  (forward Euler)
 * - hamiltonian:   Y_{j+1} = Y_j + h σ(K_j Z_j + b_j), Z_{j+1} = Z_j − h σ(K_jᵀ Y_{j+1} + b_j)  (Verlet)
 * - hyperbolic:    Y_{j+1} = 2Y_j − Y_{j−1} − h² K_jᵀ σ(K_j Y_j + b_j)      (leapfrog)
 */
import * as nd from 'numdl';
import { stepSize, type PlaygroundConfig } from './config.js';

/** Which stability region applies to a step type. */
export type RegionKind = 'euler' | 'imaginary';

/** A network with what the views need. */
export interface PlaygroundNetwork {
  model: nd.Model;
  /** Width m of the features. */
  width: number;
  /** Step size h. */
  h: number;
  /**
   * Stability region of the integrator in the z = hλ plane: forward Euler's
   * disc |1 + z| ≤ 1, or for Verlet and leapfrog the segment Re z = 0, |Im z| ≤ 2.
   */
  region: RegionKind;
  /** Y_0 … Y_N (m × n each) at parameters θ (the model's part of x). */
  trajectory(theta: Float64Array, Y: nd.Matrix): nd.Matrix[];
  /**
   * Eigenvalues λ of the linearised step j at the columns of `Y` (the points'
   * inputs to the network, 2 × n), every step: the quantity compared with the
   * stability region as z = hλ.
   */
  stepSpectra(theta: Float64Array, Y: nd.Matrix): nd.Spectrum;
}

/** Column j of a matrix as an m × 1 matrix. */
function column(M: nd.Matrix, j: number): nd.Matrix {
  const m = M.shape[0];
  return nd.matrix(m, 1, Float64Array.from(nd.columnMajorData(M).subarray(j * m, (j + 1) * m)));
}

/** Concatenate spectra. */
function concat(parts: nd.Spectrum[]): nd.Spectrum {
  const n = parts.reduce((s, p) => s + p.re.length, 0);
  const re = new Float64Array(n), im = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    re.set(p.re, o);
    im.set(p.im, o);
    o += p.re.length;
  }
  return { re, im };
}

/** The parameter slice of each weight block after the opening: x = [x_G; x_0; …]. */
function blockSlices(theta: Float64Array, openingParams: number, sizes: number[]): Float64Array[] {
  const out: Float64Array[] = [];
  let o = openingParams;
  for (const s of sizes) {
    out.push(theta.subarray(o, o + s));
    o += s;
  }
  return out;
}

/**
 * Eigenvalues of the second-order schemes' first-order form: for
 * d²Y/dt² = F(Y) the system (Y, V) has the Jacobian [[0, I], [J_F, 0]],
 * whose eigenvalues are ±√μ for the eigenvalues μ of J_F (principal complex
 * square root, both signs).
 */
function squareRoots(mu: nd.Spectrum): nd.Spectrum {
  const n = mu.re.length;
  const re = new Float64Array(2 * n), im = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = Math.hypot(mu.re[i], mu.im[i]);
    // √(a + ib) = √((r + a)/2) + i·sign(b)·√((r − a)/2)
    const a = Math.sqrt(Math.max(0, (r + mu.re[i]) / 2));
    const b = (mu.im[i] < 0 ? -1 : 1) * Math.sqrt(Math.max(0, (r - mu.re[i]) / 2));
    re[2 * i] = a;
    im[2 * i] = b;
    re[2 * i + 1] = -a;
    im[2 * i + 1] = -b;
  }
  return { re, im };
}

/**
 * Spectra of the steps Y ↦ Y + h·f(Y) of a forward-Euler network: the
 * linearisation of each step's layer at the state entering that step.
 */
function eulerStepSpectra(
  layers: readonly nd.Model[], openingParams: number,
  trajectory: (theta: Float64Array, Y: nd.Matrix) => nd.Matrix[],
): (theta: Float64Array, Y: nd.Matrix) => nd.Spectrum {
  return (theta, Y) => {
    const traj = trajectory(theta, Y);
    const xs = blockSlices(theta, openingParams, layers.map((l) => l.nParams));
    return concat(layers.map((l, j) => nd.linearizationSpectrum(l, xs[j], traj[j])));
  };
}

/**
 * Build the network of a configuration.
 * @example const net = buildNetwork(DEFAULT_CONFIG); net.model.nParams // 24 + 16·72
 */
export function buildNetwork(c: Pick<PlaygroundConfig, 'width' | 'depth' | 'T' | 'step' | 'gamma' | 'activation'>): PlaygroundNetwork {
  const m = c.width, N = c.depth, T = c.T, h = stepSize(c);
  const activation = c.activation;
  const opening = nd.singleLayer(nd.dense(m, 2), { activation, bias: 'vector' });
  const grid = { T, steps: N, opening };

  if (c.step === 'resnet' || c.step === 'antisymmetric') {
    const layer = () => (c.step === 'resnet'
      ? nd.singleLayer(nd.dense(m, m), { activation, bias: 'vector' })
      : nd.antisymmetricLayer(m, { gamma: c.gamma, activation, bias: 'vector' }));
    const model = nd.resnet(layer, grid);
    const trajectory = (theta: Float64Array, Y: nd.Matrix) => {
      const s = model.forward(theta, Y);
      return [s.openingState!.output, ...s.steps.map((st) => st.output)];
    };
    return {
      model, width: m, h, region: 'euler', trajectory,
      stepSpectra: eulerStepSpectra(model.layers, opening.nParams, trajectory),
    };
  }
  if (c.step === 'parabolic') {
    const model = nd.parabolicNetwork(() => nd.dense(m, m), { ...grid, activation, bias: 'vector' });
    const trajectory = (theta: Float64Array, Y: nd.Matrix) => model.forward(theta, Y).trajectory;
    return {
      model, width: m, h, region: 'euler', trajectory,
      stepSpectra: eulerStepSpectra(model.layers, opening.nParams, trajectory),
    };
  }
  if (c.step === 'hamiltonian') {
    const model = nd.hamiltonianNetwork(() => nd.dense(m, m), { ...grid, activation, bias: 'vector' });
    return {
      model, width: m, h, region: 'imaginary',
      trajectory: (theta, Y) => model.forward(theta, Y).Y,
      stepSpectra: (theta, Y) => {
        // The step linearised: Y' = A Z, Z' = −B Y with A = J_Z f at Z_j and
        // B = J_Y g at Y_{j+1}; the system's eigenvalues are those of [[0, A], [−B, 0]].
        const s = model.forward(theta, Y);
        const xs = blockSlices(theta, opening.nParams, model.pairs.map((p) => p.f.nParams));
        const parts: nd.Spectrum[] = [];
        for (let j = 0; j < N; j++) {
          const { f, g } = model.pairs[j];
          for (let e = 0; e < Y.shape[1]; e++) {
            const A = nd.layerJacobian(f, xs[j], column(s.Z[j], e));
            const B = nd.layerJacobian(g, xs[j], column(s.Y[j + 1], e));
            const S = nd.zeros(2 * m, 2 * m);
            for (let q = 0; q < m; q++) {
              for (let p = 0; p < m; p++) {
                S.data[p + 2 * m * (m + q)] = A.data[p + m * q]; // top right: A
                S.data[m + p + 2 * m * q] = -B.data[p + m * q]; // bottom left: −B
              }
            }
            parts.push(nd.eigvals(S));
          }
        }
        return concat(parts);
      },
    };
  }
  // hyperbolic (leapfrog): d²Y/dt² = F(Y), F = −Kᵀσ(KY + b).
  const model = nd.hyperbolicNetwork(() => nd.dense(m, m), { ...grid, activation, bias: 'vector' });
  const trajectory = (theta: Float64Array, Y: nd.Matrix) => model.forward(theta, Y).trajectory;
  return {
    model, width: m, h, region: 'imaginary', trajectory,
    stepSpectra: (theta, Y) => {
      const traj = trajectory(theta, Y);
      const xs = blockSlices(theta, opening.nParams, model.layers.map((l) => l.nParams));
      return concat(model.layers.map((l, j) => squareRoots(nd.linearizationSpectrum(l, xs[j], traj[j]))));
    },
  };
}

/** Verdict of a spectrum against the region: max amplification and the largest stable h. */
export interface StabilityVerdict {
  /** Every z = hλ inside the region (up to round-off). */
  stable: boolean;
  /** How many are outside. */
  outside: number;
  /** Largest step h* keeping every λ inside (Infinity if none limits it). */
  hMax: number;
  /** Forward Euler: max |1 + hλ| (numdl's stabilityCheck); second-order schemes: max |hλ| / 2. */
  maxFactor: number;
}

/**
 * Check eigenvalues λ against the integrator's region at step h — numdl's
 * `stabilityCheck` for forward Euler; for Verlet and leapfrog the linear
 * oscillator's condition: λ purely imaginary and h|λ| ≤ 2 (for y'' = −ω²y
 * leapfrog's amplification matrix has trace 2 − h²ω² and determinant 1, so its
 * eigenvalues stay on the unit circle while |2 − h²ω²| ≤ 2).
 */
export function stabilityVerdict(spectrum: nd.Spectrum, h: number, region: RegionKind): StabilityVerdict {
  if (region === 'euler') {
    const r = nd.stabilityCheck(spectrum, h);
    return { stable: r.stable, outside: r.unstableCount, hMax: r.maxStableStep, maxFactor: r.maxFactor };
  }
  let outside = 0, hMax = Infinity, maxAbs = 0;
  for (let i = 0; i < spectrum.re.length; i++) {
    const a = Math.abs(spectrum.re[i]), r = Math.hypot(spectrum.re[i], spectrum.im[i]);
    maxAbs = Math.max(maxAbs, r);
    const real = a > 1e-8 * Math.max(1, r);
    if (real) hMax = 0;
    else if (r > 0) hMax = Math.min(hMax, 2 / r);
    if (real || h * r > 2 + 1e-12) outside++;
  }
  return { stable: outside === 0, outside, hMax, maxFactor: (h * maxAbs) / 2 };
}
