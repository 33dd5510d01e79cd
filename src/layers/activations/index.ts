/**
 * Element-wise activations σ with one-pass value + derivative kernels.
 */
import type { Activation } from '../types.js';
import { fail } from '../../core/errors.js';
import { tanh } from './tanh.js';
import { relu } from './relu.js';
import { smoothRelu } from './smoothRelu.js';
import { sin } from './sin.js';
import { identityActivation } from './identity.js';
import type { ElementwiseActivation } from './elementwise.js';

export { elementwise, type ActivationKernel, type ElementwiseActivation } from './elementwise.js';
export { tanh } from './tanh.js';
export { relu } from './relu.js';
export { smoothRelu, smoothReluWith } from './smoothRelu.js';
export { sin } from './sin.js';
export { identityActivation, identity } from './identity.js';

/** Names accepted wherever an activation is expected. */
export type ActivationName = 'tanh' | 'relu' | 'smoothRelu' | 'sin' | 'identity';

/**
 * The built-in activations by name: `activations.identity` is
 * {@link identityActivation}.
 * @example activations.tanh === tanh // true
 */
export const activations: Readonly<Record<ActivationName, ElementwiseActivation>> = Object.freeze({
  tanh,
  relu,
  smoothRelu,
  sin,
  identity: identityActivation,
});

/**
 * An activation given by name or as an object, checked.
 * @param fn the calling function (for the error message)
 * @param a a name from {@link ActivationName} or an {@link Activation}
 * @throws `fn: activation 'foo' is unknown, expected one of tanh, relu, …`
 */
export function resolveActivation(fn: string, a: ActivationName | Activation | undefined): Activation {
  if (a === undefined) return tanh;
  if (typeof a === 'string') {
    const act = (activations as Record<string, Activation>)[a];
    if (!act) fail(fn, `activation '${a}' is unknown, expected one of ${Object.keys(activations).join(', ')}`);
    return act;
  }
  if (!a || typeof a.evaluate !== 'function') fail(fn, 'activation must be a name or an object with evaluate(X)');
  return a;
}
