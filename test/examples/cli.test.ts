import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exampleMain, figuresLine, numArg, today, type ExampleMain } from '../../examples/lib/cli.js';

/** A stand-in example: `run` doubles `--x`; its section has a title, a table and figures. */
function toy(resultsFile: string, printed: string[]): ExampleMain<{ x: number }, { y: number; files: string[] }> {
  return {
    name: 'toy',
    metaUrl: import.meta.url,
    parse: (args) => ({ x: numArg(args, 'x', 1) }),
    run: async ({ x }) => ({ y: 2 * x, files: ['/repo/out/toy/a.svg', '/tmp/b.png'] }),
    print: ({ result }) => printed.push(`y = ${result.y}`),
    results: ({ options, result }) => ({
      title: 'a stand-in',
      setup: `x = ${options.x}.`,
      lines: ['', `| y |\n| ${result.y} |`, '', figuresLine(result.files)],
    }),
    resultsFile,
  };
}

test('exampleMain: a full run writes its section (heading, date, command, seconds, setup, lines) and keeps the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-cli-'));
  try {
    const file = join(dir, 'RESULTS.md');
    writeFileSync(file, '# Results\n\n<!-- begin other -->\n## other\n<!-- end other -->\n');
    const printed: string[] = [];
    await exampleMain(toy(file, printed), ['--x', '3']);
    assert.deepEqual(printed, ['y = 6']);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes('<!-- begin other -->\n## other\n<!-- end other -->'), text);
    const section = text.slice(text.indexOf('<!-- begin toy -->'));
    assert.equal(section, [
      '<!-- begin toy -->',
      '## toy — a stand-in',
      '',
      `${today()}, \`npx tsx examples/toy.ts --x 3\` (0 s). x = 3.`,
      '',
      '| y |',
      '| 6 |',
      '',
      'Figures: `out/toy/a.svg`, `/tmp/b.png`.',
      '<!-- end toy -->',
      '',
    ].join('\n'));

    // A second run replaces the section; a custom command, time and separator shape its first line.
    await exampleMain({
      ...toy(file, printed),
      command: (argv, o) => `npm run toy -- ${argv} (x = ${o.x})`,
      results: () => ({ time: null, separator: ': ', setup: 'no title, no time', lines: [] }),
    }, ['--x', '4']);
    const again = readFileSync(file, 'utf8');
    assert.equal(again.split('<!-- begin toy -->').length, 2, 'one section');
    assert.ok(again.includes(`<!-- begin toy -->\n## toy\n\n${today()}, \`npm run toy -- --x 4 (x = 4)\`: no title, no time\n<!-- end toy -->`), again);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exampleMain: --fast prints (by default the total time) but writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-cli-'));
  try {
    const file = join(dir, 'RESULTS.md');
    const printed: string[] = [];
    await exampleMain(toy(file, printed), ['--fast']);
    assert.deepEqual(printed, ['y = 2']);
    const log = t.mock.method(console, 'log', () => {});
    await exampleMain({ ...toy(file, printed), print: undefined }, ['--fast', '--x', '5']);
    assert.deepEqual(log.mock.calls.map((c) => c.arguments), [['\ntotal 0.0 s']]);
    assert.throws(() => readFileSync(file), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
