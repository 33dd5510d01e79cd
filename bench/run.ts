/**
 * Benchmark driver: `npm run bench` (full) / `npm run bench:quick`.
 *
 *   tsx bench/run.ts [--quick] [--only matmul,fft] [--no-write] [--list]
 *
 * Runs every `bench/<area>.bench.ts` (or those named by --only) in one
 * process, prints each area's tables, and writes each area's section into
 * `bench/RESULTS.md` (replacing that area's previous section, keeping the
 * others). TF.js is loaded once up front, quietly, with its wasm binaries
 * located, so every area finds the same `cpu` and `wasm` backends.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderSection, sink, environment, writeSection, type BenchModule } from './harness.js';
import { describe, loadTf } from './tfjs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(here, 'RESULTS.md');

interface Args { quick: boolean; only: string[] | null; write: boolean; list: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, only: null, write: true, list: false };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--quick') a.quick = true;
    else if (s === '--no-write') a.write = false;
    else if (s === '--list') a.list = true;
    else if (s === '--only' || s.startsWith('--only=')) {
      const v = s === '--only' ? argv[++i] : s.slice('--only='.length);
      if (!v) throw new Error('bench: --only needs a comma-separated list of areas, e.g. --only matmul,fft');
      a.only = v.split(',').map((x) => x.trim()).filter(Boolean);
    } else throw new Error(`bench: unknown argument ${s} (expected --quick, --only a,b, --no-write, --list)`);
  }
  return a;
}

/** The command line as the user typed it (npm script name when run through npm). */
function commandLine(argv: string[]): string {
  const event = process.env.npm_lifecycle_event;
  // `npx tsx …` sets npm_lifecycle_event = 'npx': that is not an npm script.
  if (event && event !== 'npx') {
    const script = process.env.npm_lifecycle_script ?? '';
    const extra = argv.filter((x) => !script.split(/\s+/).includes(x));
    return `npm run ${event}${extra.length ? ` -- ${extra.join(' ')}` : ''}`;
  }
  return ['npx tsx bench/run.ts', ...argv].join(' ');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const areas = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
  if (args.list) {
    console.log(areas.join('\n'));
    return 0;
  }
  const unknown = (args.only ?? []).filter((x) => !areas.includes(x));
  if (unknown.length) throw new Error(`bench: unknown area(s) ${unknown.join(', ')}; available: ${areas.join(', ')}`);
  const selected = args.only ? areas.filter((a) => args.only!.includes(a)) : areas;
  const command = commandLine(argv);
  const peer = await loadTf();
  console.log(`numdl benchmarks (${args.quick ? 'quick' : 'full'}): ${selected.join(', ')}`);
  console.log(`${environment()}; ${peer ? describe(peer) : 'TF.js not installed'}\n`);
  const t0 = performance.now();
  let failed = 0;
  for (const area of selected) {
    const ta = performance.now();
    console.log(`# ${area}`);
    try {
      const mod = (await import(pathToFileURL(path.join(here, `${area}.bench.ts`)).href)) as BenchModule;
      if (typeof mod.run !== 'function') throw new Error(`bench/${area}.bench.ts does not export run(opts)`);
      const section = await mod.run({ quick: args.quick });
      const md = typeof mod.formatSection === 'function' ? mod.formatSection(section) : renderSection(section);
      console.log(`\n${md}\n\n(${area}: ${((performance.now() - ta) / 1000).toFixed(1)} s)\n`);
      if (args.write) writeSection(RESULTS, area, md, { date: new Date(), command });
    } catch (e) {
      failed++;
      console.error(`bench ${area} failed: ${(e as Error).stack ?? e}`);
    }
  }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s${args.write ? `; wrote ${path.relative(process.cwd(), RESULTS)}` : ''} (checksum ${sink().toExponential(3)})`);
  return failed ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
}, (e) => {
  console.error((e as Error).message);
  process.exitCode = 2;
});
