/**
 * Figures a reader understands: log axes that span the data, decision regions
 * with title, accuracy and legend, image grids with captions and a colour bar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { matrix, zeros } from '../../src/core/index.js';
import { peaksLabels, setupPeaks } from '../../src/data/index.js';
import { saveDecisionRegions, saveHistogram, saveImageGrid, saveLineChart } from '../../src/plots/index.js';
import { logAxis, logTicks } from '../../src/plots/scales.js';
import { readPng, readSvg, tempDir } from './helpers.js';

/** The texts of an SVG's <text> elements. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test('logTicks: 1-2-5 within two decades, 1…9 within one, decades (thinned to ≤ 8 labels) beyond', () => {
  assert.deepEqual(logTicks(0.161, 2.1), [0.2, 0.5, 1, 2]);
  assert.deepEqual(logTicks(0.35, 0.95), [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  assert.deepEqual(logTicks(3e-3, 40), [0.01, 0.1, 1, 10]);
  assert.deepEqual(logTicks(1e-16, 100), [1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1]);
  const a = logAxis([0.17, 0.5, 2, -1, 0, NaN]);
  const [lo, hi] = a.scale.domain as [number, number];
  assert.ok(lo < 0.17 && lo > 0.15 && hi > 2 && hi < 2.2, `domain [${lo}, ${hi}] hugs the data`);
  assert.equal(a.scale.nice, false);
  assert.deepEqual(logAxis([]).scale, { type: 'log' });
  assert.deepEqual(logAxis([3, 3]).scale.domain, [3 / Math.sqrt(10), 3 * Math.sqrt(10)]);
});

test('a log-scale line chart spans the data: no empty decade up to 10 for data in [0.17, 2]', async () => {
  const dir = tempDir();
  try {
    const x = Array.from({ length: 30 }, (_, i) => i);
    const svg = readSvg(await saveLineChart(join(dir, 'log.svg'), [{ name: 'f', x, y: x.map((i) => 2 * Math.exp(-0.084 * i)) }], { logY: true, title: 'objective' }), 'objective');
    const t = texts(svg);
    for (const want of ['0.2', '0.5', '1', '2']) assert.ok(t.includes(want), `tick label ${want} in ${t.join(' ')}`);
    const yLabels = t.slice(t.indexOf('iteration') + 1, t.indexOf('value'));
    assert.deepEqual(yLabels, ['0.2', '0.5', '1', '2'], 'y ticks: no decade beyond the data (0.1 or 10)');
    const wide = texts(readSvg(await saveHistogram(join(dir, 'h.svg'), Array.from({ length: 2000 }, (_, i) => (i % 37) ** 3 % 101), { logY: true })));
    assert.ok(wide.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('decision regions as SVG: method title, accuracy subtitle, axes with ticks, legend of the classes', async () => {
  const dir = tempDir();
  try {
    const svg = readSvg(await saveDecisionRegions(join(dir, 'r.svg'), (P) => peaksLabels(P), { classes: 5, resolution: 40, title: 'Newton-CG', accuracy: 0.9673, accuracyLabel: 'validation accuracy' }),
      'data:image/png;base64,');
    const t = texts(svg);
    for (const want of ['Newton-CG', 'validation accuracy 96.7 %', 'class', '0', '4', 'x1', 'x2', '−2.0', '2.0']) {
      assert.ok(t.some((s) => s === want || s === want.replace('−', '-')), `'${want}' in ${t.join(' | ')}`);
    }
    const d = setupPeaks({ n: 50, seed: 1 });
    const withPoints = texts(readSvg(await saveDecisionRegions(join(dir, 'p.svg'), (P) => peaksLabels(P), { points: d.Y, labels: d.labels, classes: 5, resolution: 30, accuracy: 1 })));
    assert.ok(withPoints.includes('accuracy 100.0 %') && withPoints.includes('class'), withPoints.join(' | '));
    await assert.rejects(saveDecisionRegions(join(dir, 'x.svg'), (P) => peaksLabels(P), { accuracy: 96.7 }), /saveDecisionRegions: accuracy must be <= 1, got 96\.7/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('image grids as SVG: title, one caption per image or per tile (escaped), colour bar with the range', async () => {
  const dir = tempDir();
  try {
    const Y = zeros(16, 3);
    for (let k = 0; k < 48; k++) Y.data[k] = (k % 7) - 3;
    const svg = readSvg(await saveImageGrid(join(dir, 'g.svg'), Y, [4, 4], { title: 'digits & features', captions: ['7', '<1>', 'two'], colormap: 'coolwarm' }), 'data:image/png;base64,');
    const t = texts(svg);
    for (const want of ['digits &amp; features', '7', '&lt;1&gt;', 'two', '-3', '3', '0']) assert.ok(t.includes(want), `'${want}' in ${t.join(' | ')}`);
    // Two channels per image: captions per image (3) or per tile (6); no colour bar with per-tile ranges.
    const two = matrix(32, 3, Float64Array.from({ length: 96 }, (_, i) => Math.sin(i)));
    assert.equal(texts(readSvg(await saveImageGrid(join(dir, 'c.svg'), two, [4, 4], { captions: ['a', 'b', 'c'], normalize: 'each' }))).length, 3);
    assert.equal(texts(readSvg(await saveImageGrid(join(dir, 'd.svg'), two, [4, 4], { captions: ['a', 'b', 'c', 'd', 'e', 'f'] }))).length, 6 + 3);
    await assert.rejects(saveImageGrid(join(dir, 'e.svg'), two, [4, 4], { captions: ['a', 'b'] }), /saveImageGrid: captions has 2 entries, expected one per image \(3\) or per tile \(6\)/);
    await assert.rejects(saveImageGrid(join(dir, 'e.png'), two, [4, 4], { title: 'x' }), /saveImageGrid: title and captions need an \.svg path \(a PNG carries no text\)/);
    // The PNG output is unchanged by the new options' defaults.
    readPng(await saveImageGrid(join(dir, 'f.png'), two, [4, 4]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
