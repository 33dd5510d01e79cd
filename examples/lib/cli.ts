/**
 * Shared plumbing of the example scripts: command-line options, the output
 * folder, "run only when executed directly", and the results file.
 *
 * Every example exports `run(options)` returning its table rows, so the tests
 * can call the fast variant for real; its `main` parses `--fast`, `--seed`,
 * `--out` and size options and prints the table.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** True when the module with this `import.meta.url` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return metaUrl === pathToFileURL(resolve(entry)).href || fileURLToPath(metaUrl) === resolve(entry);
  } catch {
    return false;
  }
}

/** Parsed command line: `--name value`, `--name=value` and bare `--flag` (true). */
export type Args = Record<string, string | boolean>;

/** Parse `process.argv`-style arguments (after the script name). */
export function parseArgs(argv: string[] = process.argv.slice(2)): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`example: unexpected argument '${a}' (options look like --name value)`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[a.slice(2)] = argv[++i];
    } else {
      out[a.slice(2)] = true;
    }
  }
  return out;
}

/** A numeric option with a default; throws naming the option on a non-number. */
export function numArg(args: Args, name: string, dflt: number): number {
  const v = args[name];
  if (v === undefined) return dflt;
  const x = typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw new Error(`example: --${name} must be a number, got '${String(v)}'`);
  return x;
}

/** A string option with a default. */
export function strArg(args: Args, name: string, dflt: string): string {
  const v = args[name];
  return typeof v === 'string' ? v : dflt;
}

/** A boolean flag. */
export function flagArg(args: Args, name: string): boolean {
  return args[name] === true || args[name] === 'true';
}

/** The output folder `out/<example>/` (or `--out`), created. */
export function outDir(example: string, out?: string): string {
  const dir = resolve(out ?? join('out', example));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Write (or replace) this example's section of a results file
 * (default `examples/RESULTS.md`), keeping the other examples' sections.
 * Sections are delimited by HTML comments naming the example.
 */
export function writeResultsSection(example: string, markdown: string, file = join(dirname(fileURLToPath(import.meta.url)), '..', 'RESULTS.md')): void {
  const begin = `<!-- begin ${example} -->`;
  const end = `<!-- end ${example} -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Results of the examples\n\nEach section is written by its example\'s full run (`npm run <name>`).\n';
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(begin), j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

/** Today's date as YYYY-MM-DD (for results files). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
