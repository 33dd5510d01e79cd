/**
 * Stability analysis of residual networks seen as discretised ODEs: spectra of
 * layer linearisations (dense, or by FFT for periodic convolutions), the
 * stability regions of the integrators (|1 + hλ| ≤ 1 for forward Euler), and
 * the growth of perturbations and gradients through a network.
 */
export {
  layerJacobian, linearizationSpectrum, denseLayerSpectrum, convolutionSpectrum, spectrumBounds,
  type Spectrum, type LinearizationSpectrum, type LinearizationSpectrumOptions, type ConvolutionSpectrumOptions,
} from './spectrum.js';
export { amplificationFactors, stabilityCheck, maxStableStep, type StabilityCheckOptions, type StabilityReport } from './stability.js';
export { perturbationGrowth, type PerturbationGrowth, type PerturbationGrowthOptions, type GrowthStats } from './perturbation.js';
