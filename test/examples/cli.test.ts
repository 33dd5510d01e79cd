import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError, exampleMain, figuresLine, machine, numArg, seedList, summarize, toJsonRows, today, usage, type ExampleMain, type JsonResults } from '../../examples/lib/cli.js';

/** A stand-in example: `run` doubles `--x`; its section has a title, a table and figures. */
function toy(resultsFile: string, printed: string[]): ExampleMain<{ x: number }, { y: number; files: string[] }> {
  return {
    name: 'toy',
    metaUrl: import.meta.url,
    summary: 'A stand-in example.',
    options: { x: { help: 'the number to double (default 1)' } },
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
      `${today()}, ${machine()}, \`npx tsx examples/toy.ts --x 3\` (0 s). x = 3.`,
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
    assert.ok(again.includes(`<!-- begin toy -->\n## toy\n\n${today()}, ${machine()}, \`npm run toy -- --x 4 (x = 4)\`: no title, no time\n<!-- end toy -->`), again);
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

test('exampleMain: --help prints the usage (own options, then the common ones) and runs nothing', async (t) => {
  const log = t.mock.method(console, 'log', () => {});
  let ran = false;
  await exampleMain({ ...toy('/nonexistent/RESULTS.md', []), run: async () => { ran = true; return { y: 0, files: [] }; } }, ['--help']);
  assert.equal(ran, false);
  const text = String(log.mock.calls[0].arguments[0]);
  assert.equal(text, usage(toy('', [])));
  assert.match(text, /^usage: npx tsx examples\/toy\.ts \[options\]\n\nA stand-in example\.\n\noptions:\n {2}--x N +the number to double \(default 1\)\n {2}--help/);
  assert.match(text, /--seed N +seed .*\(default 1\)/);
});

test('exampleMain: strict parsing — unknown options, positionals, flags with values, bad numbers are CliErrors with one-line messages', async () => {
  const ex = toy('/nonexistent/RESULTS.md', []);
  const cases: [string[], RegExp][] = [
    [['--nope'], /^unknown option '--nope'$/],
    [['stray'], /^unexpected argument 'stray'/],
    [['--fast=yes'], /^--fast is a flag and takes no value$/],
    [['--x'], /^--x needs a value$/],
    [['--x', 'abc'], /^--x must be a number, got 'abc'$/],
    [['--seed', '1.5'], /^--seed must be an integer, got '1.5'$/],
    [['--seed', '-1'], /^--seed needs a value/],
    [['--seed=-1'], /^--seed must be ≥ 0, got '-1'$/],
    [['--seed', '1', '--seeds', '1-2'], /^unknown option '--seeds'$/],
  ];
  for (const [argv, message] of cases) {
    await assert.rejects(exampleMain(ex, argv), (e: unknown) => {
      assert.ok(e instanceof CliError, `${argv.join(' ')}: ${String(e)}`);
      assert.match(e.message, message, argv.join(' '));
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    });
  }
});

test('exampleMain: --json writes { example, seed, protocol, rows } with the accuracy fields renamed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-cli-'));
  t.mock.method(console, 'log', () => {});
  try {
    const ex: ExampleMain<{ seed: number }, { rows: Record<string, unknown>[] }> = {
      name: 'toy-json', metaUrl: import.meta.url, summary: 's', options: {},
      parse: (args) => ({ seed: numArg(args, 'seed', 1) }),
      run: async ({ seed }) => ({ rows: [{ method: 'a', trainAcc: 0.5 + seed / 100, valAcc: 0.4, time: 1.5, iterations: 3, history: [1, 2] }] }),
      results: () => ({ setup: 'x', lines: [] }),
    };
    const file = join(dir, 'sub', 'r.json');
    await exampleMain(ex, ['--fast', '--seed', '3', '--json', file]);
    const json = JSON.parse(readFileSync(file, 'utf8')) as JsonResults;
    assert.equal(json.example, 'toy-json');
    assert.equal(json.seed, 3);
    assert.equal(json.protocol, 'numdl');
    assert.deepEqual(json.rows, [{ method: 'a', trainAccuracy: 0.53, valAccuracy: 0.4, seconds: 1.5, iterations: 3 }]);
    assert.equal(json.machine, machine());
    assert.throws(() => readFileSync(join(dir, 'RESULTS.md')), /ENOENT/, '--fast writes no section');

    // Several seeds and protocols: every run, and mean/min/max per protocol and method.
    const multi: ExampleMain<{ seed: number; protocol: string }, { rows: Record<string, unknown>[] }> = {
      ...ex, protocols: ['numdl', 'lecture'], seeds: true,
      parse: (args) => ({ seed: numArg(args, 'seed', 1), protocol: String(args.protocol) }),
      run: async ({ seed, protocol }) => ({ rows: [{ method: 'a', valAcc: (protocol === 'lecture' ? 0.5 : 0.9) + seed / 100 }] }),
      resultsFile: join(dir, 'RESULTS.md'),
    };
    await exampleMain(multi, ['--seeds', '1-3', '--protocol', 'all', '--json', file]);
    const m = JSON.parse(readFileSync(file, 'utf8')) as JsonResults;
    assert.equal(m.runs?.length, 6);
    assert.deepEqual(m.runs?.map((r) => `${r.protocol}:${r.seed}`), ['numdl:1', 'numdl:2', 'numdl:3', 'lecture:1', 'lecture:2', 'lecture:3']);
    const lecture = m.summary?.find((s) => s.protocol === 'lecture');
    assert.deepEqual(lecture?.seeds, [1, 2, 3]);
    assert.ok(Math.abs(lecture!.metrics.valAccuracy.mean - 0.52) < 1e-12 && lecture!.metrics.valAccuracy.min === 0.51 && lecture!.metrics.valAccuracy.max === 0.53);
    const section = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    assert.match(section, /Seeds 1–3: mean \[min, max\] over the seeds\./);
    assert.match(section, /\*\*Protocol `lecture`\*\*/);
    assert.match(section, /\| lecture +\| a +\| 1–3 +\| +52\.00 \[51\.00, 53\.00\] \|/);
    await assert.rejects(exampleMain(multi, ['--protocol', 'octave']), /--protocol must be one of numdl, lecture; got 'octave'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seedList, toJsonRows, summarize', () => {
  assert.deepEqual(seedList('1-5'), [1, 2, 3, 4, 5]);
  assert.deepEqual(seedList('3, 7'), [3, 7]);
  assert.throws(() => seedList('5-1'), CliError);
  assert.throws(() => seedList('a'), CliError);
  assert.deepEqual(toJsonRows([{ name: 'x', testAcc: NaN, flag: true, arr: [1] }]), [{ method: 'x', name: 'x', testAccuracy: null, flag: true }]);
  const s = summarize([
    { example: 'e', seed: 1, protocol: 'p', rows: [{ method: 'm', valAccuracy: 0.9 }], seconds: 1, command: '', date: '', machine: '', threads: 1 },
    { example: 'e', seed: 2, protocol: 'p', rows: [{ method: 'm', valAccuracy: 0.7 }], seconds: 1, command: '', date: '', machine: '', threads: 1 },
  ]);
  assert.deepEqual(s, [{ protocol: 'p', method: 'm', seeds: [1, 2], metrics: { valAccuracy: { mean: 0.8, min: 0.7, max: 0.9 } }, text: {} }]);
});
