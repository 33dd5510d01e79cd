import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromRows, zeros } from '../../src/core/index.js';
import { saveLineChart, saveSpectrum, saveHistogram, saveScatter, histogramCounts } from '../../src/plots/index.js';
import { readSvg, tempDir } from './helpers.js';

test('saveLineChart: several series in one SVG with title, axis titles and legend', async () => {
  const dir = tempDir();
  try {
    const path = await saveLineChart(join(dir, 'sub', 'history.svg'), [
      { name: 'SGD', x: [0, 1, 2, 3], y: [1.5, 0.9, 0.7, 0.6] },
      { name: 'Newton-CG', x: Float64Array.from([0, 1, 2]), y: Float64Array.from([1.5, 0.2, 0.01]) },
    ], { title: 'Objective vs iteration', xLabel: 'iteration', yLabel: 'objective', logY: true });
    readSvg(path, 'Objective vs iteration', 'SGD', 'Newton-CG', 'objective');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveLineChart rejects bad series with clear messages', async () => {
  const dir = tempDir();
  try {
    await assert.rejects(saveLineChart(join(dir, 'a.svg'), [{ name: 'a', x: [1, 2], y: [1] }]), /saveLineChart: series 'a' has 2 x values but 1 y values/);
    await assert.rejects(saveLineChart(join(dir, 'a.svg'), []), /saveLineChart: series must be a non-empty array/);
    await assert.rejects(saveLineChart(join(dir, 'a.svg'), [{ name: 'a', x: [1], y: [1] }, { name: 'a', x: [1], y: [2] }]), /saveLineChart: series name 'a' appears twice/);
    await assert.rejects(saveLineChart(join(dir, 'a.png'), [{ name: 'a', x: [1], y: [1] }]), /saveLineChart: path .*a\.png must end in \.svg \(charts are rendered to SVG\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveSpectrum: one or several spectra on a log scale', async () => {
  const dir = tempDir();
  try {
    readSvg(await saveSpectrum(join(dir, 's1.svg'), Float64Array.from([10, 1, 0.1, 0]), { title: 'Singular values of J' }), 'Singular values of J');
    readSvg(await saveSpectrum(join(dir, 's2.svg'), [{ name: 'm = 8', values: [3, 2, 1] }, { name: 'm = 16', values: [4, 1e-3, 1e-9] }], { title: 'spectra', normalize: true }), 'spectra', 'm = 16');
    await assert.rejects(saveSpectrum(join(dir, 's3.svg'), [{ name: 'empty', values: [] }]), /saveSpectrum: series 'empty' has no values/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('histogramCounts bins values with the top edge in the last bin', () => {
  assert.deepEqual(Array.from(histogramCounts([0, 0.1, 0.5, 0.99, 1, 2, NaN, -1], 2, 0, 1)), [2, 3]);
});

test('saveHistogram: overlaid series with shared bins', async () => {
  const dir = tempDir();
  try {
    const a = Array.from({ length: 500 }, (_, i) => Math.sin(i));
    const b = Array.from({ length: 500 }, (_, i) => 0.1 * Math.cos(i));
    readSvg(await saveHistogram(join(dir, 'h.svg'), [{ name: 'ResNet', values: a }, { name: 'plain', values: b }], { bins: 30, title: 'Gradient histogram', logY: true }), 'Gradient histogram', 'ResNet', 'plain');
    readSvg(await saveHistogram(join(dir, 'h1.svg'), Float64Array.from([1, 1, 1]), { title: 'constant', density: true }), 'constant');
    await assert.rejects(saveHistogram(join(dir, 'h2.svg'), [NaN, Infinity]), /saveHistogram: no finite values to count/);
    await assert.rejects(saveHistogram(join(dir, 'h2.svg'), [1, 2], { bins: 0 }), /saveHistogram: bins must be a positive integer, got 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveScatter: points coloured by class; mismatched sizes are rejected', async () => {
  const dir = tempDir();
  try {
    const P = fromRows([[0, 1, 2, 3], [1, 0, 1, 0]]);
    readSvg(await saveScatter(join(dir, 'sc.svg'), P, [0, 1, 2, 1], { title: 'Features after layer 4' }), 'Features after layer 4');
    readSvg(await saveScatter(join(dir, 'sc2.svg'), P, undefined, { title: 'no labels' }), 'no labels');
    await assert.rejects(saveScatter(join(dir, 'x.svg'), zeros(3, 4), [0, 0, 0, 0]), /saveScatter: points is 3×4, expected 2 rows/);
    await assert.rejects(saveScatter(join(dir, 'x.svg'), P, [0, 1]), /saveScatter: labels has length 2 but points has 4 columns/);
    await assert.rejects(saveScatter(join(dir, 'x.svg'), P, [0, 1, 2, 3], { classes: 3 }), /saveScatter: labels\[3\] = 3, expected an integer in 0..2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
