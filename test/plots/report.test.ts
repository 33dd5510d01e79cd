import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { formatTable, formatCell, progressBar } from '../../src/plots/index.js';

test('formatTable: aligned text table, numbers right-aligned with 4 significant digits', () => {
  const rows = [
    { method: 'SGD', iters: 50, acc: 0.8812345, time: 1.5 },
    { method: 'Newton-CG', iters: 20, acc: 0.95, time: 12.25 },
  ];
  assert.equal(
    formatTable(rows),
    ['method     iters     acc   time', '---------  -----  ------  -----', 'SGD           50  0.8812  1.500', 'Newton-CG     20  0.9500  12.25'].join('\n'),
  );
  assert.equal(
    formatTable(rows, ['method', { key: 'acc', label: 'val. acc.', format: (v) => `${((v as number) * 100).toFixed(1)}%` }], { style: 'markdown' }),
    ['| method    | val. acc. |', '| --------- | --------: |', '| SGD       |     88.1% |', '| Newton-CG |     95.0% |'].join('\n'),
  );
  assert.equal(formatCell(1.23e-7), '1.230e-7');
  assert.equal(formatCell(undefined), '-');
  assert.throws(() => formatTable('x' as never), /formatTable: rows must be an array of objects, got string/);
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, chunks };
}

test('progressBar: redraws with \\r on a terminal, writes one final line otherwise', () => {
  const tty = sink(true);
  const bar = progressBar(4, { label: 'epoch 1', width: 8, stream: tty.stream, minIntervalMs: 0 });
  for (let i = 0; i < 4; i++) bar.tick(1, `loss ${i}`);
  bar.finish();
  bar.tick();
  assert.equal(bar.done, 4);
  assert.ok(tty.chunks.length >= 5);
  assert.ok(tty.chunks.every((c) => c.startsWith('\r')));
  const last = tty.chunks[tty.chunks.length - 1];
  assert.match(last, /^\repoch 1 \[########\] 4\/4 100% \d+\.\ds {2}loss 3\x1b\[K\n$/);
  const log = sink(false);
  const b2 = progressBar(10, { stream: log.stream });
  b2.update(5);
  b2.finish('done');
  assert.equal(log.chunks.length, 1);
  assert.match(log.chunks[0], /^\[#{15}\.{15}\]  5\/10  50% [\d.]+s eta [\d.]+s  done\n$/);
});
