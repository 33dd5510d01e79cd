/**
 * The worker pool survives a dead worker: the calling thread does not wait
 * forever for it, finishes the work itself with the right result, reports the
 * loss once (warning NUMDL_WORKER_LOST and wasmThreadStatus()) and starts a new
 * pool for the next call. Runs the scenario in a child process
 * (test/helpers/deadWorker.ts) with a time limit, since the failure it guards
 * against is a hang.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { wasmAvailable } from '../../src/core/wasm/module.js';
import { wasmThreadStatus } from '../../src/core/wasm/threads.js';

const script = fileURLToPath(new URL('../helpers/deadWorker.ts', import.meta.url));

test('a worker that dies during a synchronous run: bounded wait, work finished on the calling thread, loss reported', { skip: wasmAvailable() ? false : 'WebAssembly kernels unavailable' }, () => {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NUMDL_KERNELS: 'wasm' } });
  } catch (e) {
    assert.fail(`the run with a dead worker did not finish: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { diff: number; status: ReturnType<typeof wasmThreadStatus>; warnings: string[]; ms: number };
  assert.equal(r.diff, 0, 'the results equal the single-threaded ones');
  assert.equal(r.status.lostWorkers, 1);
  assert.match(r.status.lastLoss ?? '', /^wasmGemm: worker thread 1 did not answer within \d+ ms; presumed dead, \d+ chunks? redone on the calling thread$/);
  assert.equal(r.warnings.length, 1, 'one warning');
  assert.match(r.warnings[0], /^NUMDL_WORKER_LOST: wasmGemm: worker thread 1 did not answer/);
  assert.ok(r.ms < 30_000, `the calls took ${r.ms.toFixed(0)} ms`);
});

test('wasmThreadStatus reports the pool', () => {
  const s = wasmThreadStatus();
  assert.equal(typeof s.threads, 'number');
  assert.ok(s.threads >= 1);
  assert.equal(s.lostWorkers, 0);
  assert.equal(s.lastLoss, null);
  assert.ok(s.ready <= s.workers);
});
