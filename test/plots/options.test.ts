/**
 * The plotting functions check their options objects like the rest of the
 * library: a misspelled key is a NumdlError naming the function and the key
 * (before any file is written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumdlError, zeros } from '../../src/index.js';
import * as plots from '../../src/plots/index.js';

const typo = { titel: 'x' } as never;
const CASES: [string, () => unknown][] = [
  ['saveContour', () => plots.saveContour('/nonexistent/c.svg', zeros(3, 3), typo)],
  ['saveDecisionRegions', () => plots.saveDecisionRegions('/nonexistent/d.png', () => [], typo)],
  ['saveHistogram', () => plots.saveHistogram('/nonexistent/h.svg', [1, 2], typo)],
  ['saveImageGrid', () => plots.saveImageGrid('/nonexistent/i.png', zeros(4, 1), [2, 2], { colmns: 2 } as never)],
  ['saveLineChart', () => plots.saveLineChart('/nonexistent/l.svg', [], typo)],
  ['saveScatter', () => plots.saveScatter('/nonexistent/s.svg', zeros(2, 1), undefined, typo)],
  ['saveSpectrum', () => plots.saveSpectrum('/nonexistent/p.svg', [1], typo)],
  ['saveSurface', () => plots.saveSurface('/nonexistent/u.svg', zeros(3, 3), typo)],
  ['progressBar', () => plots.progressBar(10, { lable: 'x' } as never)],
  ['formatTable', () => plots.formatTable([], undefined, { styl: 'markdown' } as never)],
];

for (const [fn, run] of CASES) {
  test(`${fn} rejects a misspelled option`, async () => {
    await assert.rejects(async () => run(), (e: unknown) => e instanceof NumdlError && e.fn === fn && e.code === 'unknownOption');
  });
}
