import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, benchSection, markdownTables, readSources, renderReadme, type ReadmeSources } from '../../examples/lib/readme.js';
import type { JsonResults } from '../../examples/lib/cli.js';

test('README.md is what `npm run readme` writes from the latest results', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const name of ['flagship', 'bench-peaks', 'lecture']) {
    assert.ok(readme.includes(`<!-- results:${name} -->`) && readme.includes(`<!-- /results:${name} -->`), `README has the ${name} block`);
  }
  assert.equal(renderReadme(readme, readSources()), readme, 'README.md is stale: run `npm run readme`');
});

const run = (over: Partial<JsonResults>): JsonResults => ({
  example: 'resnet-peaks', seed: 1, protocol: 'numdl', seconds: 9, command: 'npm run demo -- --write-results', date: '2026-12-06T07:00:00.000Z', machine: 'Test CPU ×2, Node v20', threads: 2,
  rows: [
    { method: 'Newton-CG', iterations: 50, matvecs: 497, cpu: 2.5, trainAccuracy: 0.988, valAccuracy: 0.967, lecture: '95.20 %' },
    { method: 'ADAM', iterations: 50, matvecs: 0, cpu: 1, trainAccuracy: 0.951, valAccuracy: 0.929, lecture: '-' },
  ],
  ...over,
});

test('renderReadme: blocks from the JSON results, with date, machine and command; the lecture comparison per seed range', () => {
  const multi: JsonResults = {
    ...run({ example: 'single-layer-peaks', seed: null, protocol: 'lecture,numdl', rows: [] }),
    runs: [run({ example: 'single-layer-peaks', protocol: 'lecture' })],
    summary: [
      { protocol: 'lecture', method: 'GD (full batch, fixed step)', seeds: [1, 2, 3], metrics: { valAccuracy: { mean: 0.97, min: 0.969, max: 0.972 } }, text: {} },
      { protocol: 'numdl', method: 'VarPro (after 10 SD steps)', seeds: [1, 2, 3], metrics: { valAccuracy: { mean: 0.975, min: 0.97, max: 0.98 } }, text: {} },
    ],
  };
  const sources: ReadmeSources = { results: { 'resnet-peaks': run({}), 'single-layer-peaks': multi }, bench: '' };
  const out = renderReadme('a\n<!-- results:flagship -->\nold\n<!-- /results:flagship -->\nb\n<!-- results:lecture -->\n<!-- /results:lecture -->\n', sources);
  assert.ok(!out.includes('old'));
  assert.match(out, /\| Newton-CG +\| +50 \| +497 \| +2\.50 \| +98\.80 % \| +96\.70 % \| 95\.20 % +\|/);
  assert.match(out, /\| ADAM +\| +50 \| +– \|/);
  assert.ok(out.includes('run 2026-12-06 07:00 UTC on Test CPU ×2, Node v20, `npm run demo -- --write-results`'), out);
  // The lecture's single-layer GD: 96.90 %; VarPro 97.60 %.
  assert.match(out, /\| single layer on Peaks \(m = 40\) \| lecture +\| GD \(full batch, fixed step\) \| 1–3 +\| +97\.00 % \[96\.90 %, 97\.20 %\] \| +96\.90 % \| at or above \(every seed\) +\|/);
  assert.match(out, /\| numdl +\| VarPro \(after 10 SD steps\) +\| 1–3 +\| +97\.50 % \[97\.00 %, 98\.00 %\] \| +97\.60 % \| below on average, some seeds above \|/);
  assert.throws(() => renderReadme('<!-- results:nope -->\n<!-- /results:nope -->', sources), /renderReadme: unknown block 'nope'/);
  assert.throws(() => renderReadme('<!-- results:flagship -->\n<!-- /results:lecture -->', sources), /block 'flagship' ends with/);
});

test('benchSection and markdownTables read bench/RESULTS.md', () => {
  const text = 'x\n<!-- bench:peaks start -->\n## t\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\ntext\n<!-- bench:peaks end -->\n';
  const sec = benchSection(text, 'peaks');
  assert.ok(sec?.startsWith('<!-- bench:peaks start -->'));
  assert.deepEqual(markdownTables(sec!), [{ header: ['a', 'b'], rows: [['1', '2'], ['3', '4']] }]);
  assert.equal(benchSection(text, 'mnist'), null);
});
