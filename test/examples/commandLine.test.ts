/**
 * Every example's command line, as a user meets it: `--help` prints the usage
 * and exits 0; an unknown option and a bad value each print ONE line on
 * stderr naming the example and the option, and exit 1 without a stack
 * trace. The examples run as spawned processes (as `npx tsx examples/<name>.ts`
 * would), a few at a time; none of them gets as far as computing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

interface Outcome { code: number; stdout: string; stderr: string }

function spawnExample(name: string, args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', join('examples', `${name}.ts`), ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Run `jobs` with at most `limit` at a time (the machine has few cores). */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < jobs.length) {
      const k = next++;
      out[k] = await jobs[k]();
    }
  }));
  return out;
}

test('every example: --help, an unknown option and a bad value', async () => {
  assert.ok(EXAMPLES.length >= 18, `found ${EXAMPLES.length} examples`);
  const cases = EXAMPLES.flatMap((name) => [
    { name, kind: 'help', args: ['--help'] },
    { name, kind: 'unknown', args: ['--no-such-option', '3'] },
    { name, kind: 'bad value', args: ['--seed', 'abc'] },
  ]);
  const outcomes = await pool(cases.map((c) => () => spawnExample(c.name, c.args)), 4);
  const problems: string[] = [];
  cases.forEach((c, k) => {
    const o = outcomes[k];
    const lines = o.stderr.trim().split('\n').filter((l) => l.trim() !== '');
    const where = `${c.name} ${c.args.join(' ')}`;
    if (c.kind === 'help') {
      if (o.code !== 0) problems.push(`${where}: exit ${o.code}, stderr ${o.stderr.slice(0, 300)}`);
      if (!o.stdout.startsWith(`usage: npx tsx examples/${c.name}.ts [options]`)) problems.push(`${where}: no usage line: ${o.stdout.slice(0, 200)}`);
      for (const opt of ['--help', '--fast', '--seed', '--out', '--json', '--verbose', '--write-results']) {
        if (!o.stdout.includes(`\n  ${opt}`)) problems.push(`${where}: usage does not list ${opt}`);
      }
      return;
    }
    if (o.code !== 1) problems.push(`${where}: exit ${o.code} (expected 1)`);
    if (lines.length !== 1) problems.push(`${where}: ${lines.length} lines on stderr (expected 1): ${o.stderr.slice(0, 300)}`);
    const expected = c.kind === 'unknown' ? `${c.name}: unknown option '--no-such-option'` : `${c.name}: --seed must be a number, got 'abc'`;
    if (!lines[0]?.startsWith(expected)) problems.push(`${where}: stderr '${lines[0]}' does not start with '${expected}'`);
    if (/\n\s+at /.test(o.stderr)) problems.push(`${where}: a stack trace`);
  });
  assert.deepEqual(problems, []);
});
