/**
 * The constructors a saved model may call, by the `kind` their specs carry
 * (see src/core/spec.ts): loading a model replays `kind(...args)`.
 * A constructor that attaches a spec must be listed here; the tests build
 * one object of every kind and check that it is.
 */
import { tikhonov } from '../losses/tikhonov.js';
import { softmaxCrossEntropy } from '../losses/softmaxCrossEntropy.js';
import { leastSquares } from '../losses/leastSquares.js';
import { antisymmetric } from '../operators/antisymmetric.js';
import { averagePool } from '../operators/averagePool.js';
import { conv1d } from '../operators/conv1d.js';
import { conv2d } from '../operators/conv2d.js';
import { dense } from '../operators/dense.js';
import { linearParametric, sparsityPattern } from '../operators/linearParametric.js';
import { diagonal } from '../operators/diagonal.js';
import { doublySymmetricConv2d } from '../operators/doublySymmetricConv2d.js';
import { mMatrix } from '../operators/mMatrix.js';
import { mMatrixConv } from '../operators/mMatrixConv.js';
import { separableConv2d } from '../operators/separableConv2d.js';
import { waveletOperator } from '../operators/wavelet.js';
import { identityActivation } from '../layers/activations/identity.js';
import { relu } from '../layers/activations/relu.js';
import { sin } from '../layers/activations/sin.js';
import { smoothReluWith } from '../layers/activations/smoothRelu.js';
import { tanh } from '../layers/activations/tanh.js';
import { singleLayer } from '../layers/singleLayer.js';
import { averagePoolLayer } from '../layers/averagePoolLayer.js';
import { chain } from '../networks/chain.js';
import { continuousResnet } from '../networks/continuousResnet.js';
import { hamiltonianNetwork } from '../networks/hamiltonian.js';
import { hyperbolicNetwork } from '../networks/hyperbolic.js';
import { parabolicNetwork } from '../networks/parabolic.js';
import { resnet } from '../networks/resnet.js';
import { antisymmetricLayer, symmetricLayer } from '../networks/stableLayers.js';
import { dampedAntisymmetric, transposedOperator } from '../networks/stableOperators.js';

// The registry calls constructors with decoded JSON; each constructor checks its own arguments.
type Constructor = (...args: any[]) => unknown;

/** Constructors of models, operators, activations and regularisers, by spec kind. */
export const CONSTRUCTORS: Readonly<Record<string, Constructor>> = Object.freeze({
  // operators
  dense, diagonal, antisymmetric, mMatrix, conv1d, conv2d, separableConv2d, doublySymmetricConv2d, mMatrixConv, averagePool,
  transposedOperator, dampedAntisymmetric, linearParametric, sparsityPattern, waveletOperator,
  // activations (the constants are their own constructors' results)
  tanh: () => tanh,
  relu: () => relu,
  sin: () => sin,
  identity: () => identityActivation,
  smoothReluWith,
  // layers and networks
  singleLayer, antisymmetricLayer, symmetricLayer, averagePoolLayer,
  chain, resnet, continuousResnet, parabolicNetwork, hamiltonianNetwork, hyperbolicNetwork,
  // regularisers
  tikhonov,
});

/** Functions saved by name (`{ "$ref": name }`): the built-in losses. */
export const NAMED_FUNCTIONS: Readonly<Record<string, unknown>> = Object.freeze({ softmaxCrossEntropy, leastSquares });

/** Objective constructors whose settings a saved model may carry. */
export const OBJECTIVE_KINDS = ['classificationObjective', 'varproObjective'] as const;
/** One of {@link OBJECTIVE_KINDS}. */
export type ObjectiveKind = (typeof OBJECTIVE_KINDS)[number];
