import { elementwise, type ElementwiseActivation } from './elementwise.js';
import { withSpec } from '../../core/spec.js';

/**
 * σ(x) = x, σ'(x) = 1 (a linear layer). Exported from the package as
 * `identity` and also as `identityActivation`; the identity
 * LinearOperator is core's `identityOperator(n)`. `activations.identity` and
 * the name `'identity'` in `singleLayer` refer to it.
 * @example identity.evaluate(fromRows([[3]])).value.get(0, 0) // 3
 */
export const identityActivation: ElementwiseActivation = withSpec(elementwise('identity', (x, value, derivative) => {
  const n = x.length;
  if (value !== x) value.set(x);
  if (derivative) derivative.fill(1, 0, n);
}), 'identity', []);

/** Alias of {@link identityActivation}: the public name, as in `activation: 'identity'`. */
export const identity: ElementwiseActivation = identityActivation;
