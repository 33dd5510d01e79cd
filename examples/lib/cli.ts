/**
 * Shared plumbing of the example scripts: command-line options, the output
 * folder, "run only when executed directly", and the results file.
 *
 * Every example exports `run(options)` returning its table rows, so the tests
 * can call the fast variant for real; its script part is one
 * {@link runExample} call, which parses `--fast`, `--seed`, `--out` and size
 * options, times `run`, prints the table and, for a full run, writes the
 * example's section of examples/RESULTS.md.
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

/**
 * A numeric option without a default: `undefined` when absent, so that the
 * example's `run` picks its own (fast or full) default.
 */
export function optionalNumArg(args: Args, name: string): number | undefined {
  return args[name] === undefined ? undefined : numArg(args, name, NaN);
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

/**
 * How RESULTS.md shows a saved file: from its `out/` folder on (the path
 * relative to the repository for the default output folder), the whole path
 * when it was written elsewhere (`--out /tmp/x`).
 */
export function shownPath(file: string): string {
  return file.slice(file.lastIndexOf('/out/') + 1);
}

/** Text as a fenced code block, for a plain-text table in RESULTS.md. */
export function codeBlock(text: string): string {
  return ['```', text, '```'].join('\n');
}

/** The `Figures: \`out/…\`, \`out/…\`.` line of a RESULTS.md section. */
export function figuresLine(files: string[]): string {
  return `Figures: ${files.map((f) => `\`${shownPath(f)}\``).join(', ')}.`;
}

/** The command of an example run through its npm script, as RESULTS.md shows it (`npm run <script> -- <argv>`). */
export function npmRunCommand(script: string, argv: string): string {
  return `npm run ${script}${argv ? ` -- ${argv}` : ''}`;
}

/**
 * A result with the figures `save` wrote of it into `dir`, for examples whose
 * `run` only computes (saving counts in the run's time all the same).
 */
export async function withFigures<R>(result: R, save: (result: R, dir: string) => Promise<string[]>, dir: string): Promise<R & { files: string[] }> {
  return { ...result, files: await save(result, dir) };
}

/** What an example's `main` did, handed to its `print` and `results` callbacks. */
export interface ExampleRun<O, R> {
  /** The options `parse` made of the command line. */
  options: O;
  /** What `run` returned. */
  result: R;
  /** Wall time of `run`, in seconds. */
  seconds: number;
  /** The command as RESULTS.md shows it (see {@link ExampleMain.command}). */
  command: string;
}

/**
 * An example's section of RESULTS.md, as its `results` callback gives it.
 * The section reads
 *
 *     ## <name>[ — <title>]
 *
 *     <date>, `<command>` (<time>)<separator><setup>
 *     <lines…>
 */
export interface ResultsSection {
  /** Words after the example's name in the heading; none gives just `## <name>`. */
  title?: string;
  /** What the parentheses after the command say; default the whole seconds (`98 s`); `null` leaves them out. */
  time?: string | null;
  /** Between the time and the setup; default `. `. */
  separator?: string;
  /** The setup sentence(s) ending the date-and-command line. */
  setup: string;
  /** The lines after that line: tables, remarks, the figures line (start with `''` for a blank line). */
  lines: string[];
}

/** What {@link runExample} needs of an example. */
export interface ExampleMain<O, R> {
  /** The example's name: its file `examples/<name>.ts` and its RESULTS.md section. */
  name: string;
  /** The example module's `import.meta.url`: it runs only when it is the script node was started with. */
  metaUrl: string;
  /** The options from the parsed command line; `fast` is the `--fast` flag. */
  parse: (args: Args, fast: boolean) => O;
  /** The work to time: the example's `run`, with its figures when `main` saves them. */
  run: (options: O) => Promise<R>;
  /** Print the outcome; default a `total <s> s` line. */
  print?: (done: ExampleRun<O, R>) => void;
  /**
   * The command RESULTS.md shows, from the arguments joined by spaces;
   * default `npx tsx examples/<name>.ts <argv>`.
   */
  command?: (argv: string, options: O) => string;
  /** The RESULTS.md section of a full run (not called with `--fast`). */
  results: (done: ExampleRun<O, R>) => ResultsSection;
  /** The results file; default `examples/RESULTS.md` (tests point it at a temporary file). */
  resultsFile?: string;
}

/**
 * The `main` of an example: parse `argv`, time `run`, print, and, unless
 * `--fast` (a smoke run whose numbers mean nothing), write the example's
 * RESULTS.md section. {@link runExample} calls it for a script run; tests
 * call it directly.
 */
export async function exampleMain<O, R>(example: ExampleMain<O, R>, argv: string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv);
  const fast = flagArg(args, 'fast');
  const options = example.parse(args, fast);
  const t0 = performance.now();
  const result = await example.run(options);
  const seconds = (performance.now() - t0) / 1000;
  const joined = argv.join(' ');
  const command = example.command ? example.command(joined, options) : `npx tsx examples/${example.name}.ts${joined ? ` ${joined}` : ''}`;
  const done: ExampleRun<O, R> = { options, result, seconds, command };
  if (example.print) example.print(done);
  else console.log(`\ntotal ${seconds.toFixed(1)} s`);
  if (fast) return;
  const section = example.results(done);
  const time = section.time === undefined ? `${seconds.toFixed(0)} s` : section.time;
  writeResultsSection(example.name, [
    `## ${example.name}${section.title ? ` — ${section.title}` : ''}`,
    '',
    `${today()}, \`${command}\`${time === null ? '' : ` (${time})`}${section.separator ?? '. '}${section.setup}`,
    ...section.lines,
  ].join('\n'), example.resultsFile);
}

/**
 * Run an example's {@link exampleMain} when its module is the script node was
 * started with (so tests can import the module), and end the process with
 * status 1 on an error: a failed run must not look like a finished one, nor
 * linger on a pending worker or timer.
 */
export function runExample<O, R>(example: ExampleMain<O, R>): void {
  if (!isMain(example.metaUrl)) return;
  exampleMain(example).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
