/**
 * Variant builds of the whole-network kernel for measurements (not part of
 * the library): compile a given source of `assembly/network.ts` (the working
 * copy, a git revision, or a textual edit of either) with the flags of the
 * loaded build (scripts/build-wasm.mjs: SIMD, FMA when the loaded build has
 * it, shared memory) and instantiate it on numdl's own WebAssembly memory, so
 * the variant runs on the very workspace the library kernel uses. Two kernels
 * can then be timed interleaved in one process (the only way to compare them
 * on a shared machine) and their outputs compared.
 *
 * The variant module exports only netChunks / netChunks32. Its static data
 * (the standard library's exp/log tables) is placed by `--memoryBase` in a
 * block of the arena reserved for it, so instantiating it on the shared
 * memory overwrites nothing of numdl's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelBuild, wasmShared } from '../src/core/wasm/module.js';
import { arenaBlock } from '../src/core/wasm/resident.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The exports of a variant. */
export interface NetKernel {
  netChunks(desc: number, mode: number, c0: number, count: number): void;
  netChunks32(desc: number, mode: number, c0: number, count: number): void;
}

/** network.ts as in the working copy, or at a git revision (`rev`). */
export function networkSource(rev?: string, file = 'assembly/network.ts'): string {
  if (!rev) return readFileSync(path.join(root, file), 'utf8');
  return execFileSync('git', ['show', `${rev}:${file}`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** Bytes reserved per variant for its static data. */
const STATIC_BYTES = 1 << 16;

/**
 * Compile `source` (a network.ts; simd.ts is taken from the working copy
 * unless given) and instantiate it on numdl's memory; `names` keeps the
 * function names (asc --debug) for profiles.
 */
export async function compileVariant(name: string, source: string, simd = networkSource(undefined, 'assembly/simd.ts'), names = false): Promise<NetKernel> {
  const shared = wasmShared();
  if (!shared) throw new Error('kernelVariants: the WebAssembly kernels are not loaded');
  const build = kernelBuild();
  const dir = mkdtempSync(path.join(tmpdir(), `numdl-variant-${name}-`));
  writeFileSync(path.join(dir, 'network.ts'), source);
  writeFileSync(path.join(dir, 'simd.ts'), simd);
  writeFileSync(path.join(dir, 'index.ts'), "export * from './network';\n");
  const out = path.join(dir, 'net.wasm');
  const asc = await import('assemblyscript/asc');
  const home = arenaBlock(`variant ${name}`, STATIC_BYTES + 1024);
  const memoryBase = Math.ceil(home.addr / 1024) * 1024;
  const args = [
    '--memoryBase', String(memoryBase),
    path.join(dir, 'index.ts'), '--outFile', out, '--optimizeLevel', '3', '--shrinkLevel', '0', '--runtime', 'stub',
    '--enable', 'simd', ...(build.fma ? ['--enable', 'relaxed-simd'] : []),
    ...(build.sharedMemory ? ['--enable', 'threads', '--sharedMemory'] : []),
    '--importMemory', '--maximumMemory', '65536', '--noAssert', '--use', 'abort=',
    ...(names ? ['--debug'] : []),
  ];
  const { error, stderr } = await asc.main(args, {});
  if (error) throw new Error(`kernelVariants: ${name}: ${error.message}\n${stderr.toString()}`);
  const bin = new Uint8Array(readFileSync(out));
  const heapBase = dataEnd(bin);
  if (heapBase > memoryBase + STATIC_BYTES) throw new Error(`kernelVariants: ${name}: static data up to ${heapBase} does not fit its block at ${memoryBase}`);
  // The lib has no DOM/WebAssembly typings here (like src/core/wasm/module.ts): a minimal local type.
  const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => unknown; Instance: new (m: unknown, i: object) => { exports: unknown } } }).WebAssembly;
  const inst = new WA.Instance(new WA.Module(bin), { env: { memory: shared.memory } });
  return inst.exports as NetKernel;
}

/** End of the active data segments of a wasm binary (their i32.const offsets plus sizes). */
function dataEnd(bin: Uint8Array): number {
  let p = 8, end = 0;
  const leb = () => {
    let v = 0, shift = 0, b: number;
    do {
      b = bin[p++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return v >>> 0;
  };
  while (p < bin.length) {
    const id = bin[p++];
    const size = leb(), next = p + size;
    if (id === 11) {
      const count = leb();
      for (let s = 0; s < count; s++) {
        const flags = leb();
        if (flags !== 0) throw new Error(`kernelVariants: data segment kind ${flags} not handled`);
        if (bin[p++] !== 0x41) throw new Error('kernelVariants: data segment offset is not an i32.const');
        let off = 0, shift = 0, b: number;
        do {
          b = bin[p++];
          off |= (b & 0x7f) << shift;
          shift += 7;
        } while (b & 0x80);
        p++; // end
        const len = leb();
        end = Math.max(end, (off >>> 0) + len);
        p += len;
      }
    }
    p = next;
  }
  return end;
}

/** `source` with `from` replaced by `to` (exactly once: a stale edit fails loudly). */
export function edit(source: string, from: string, to: string): string {
  const i = source.indexOf(from);
  if (i < 0 || source.indexOf(from, i + 1) >= 0) throw new Error(`kernelVariants: edit target ${JSON.stringify(from.slice(0, 60))} not found exactly once`);
  return source.slice(0, i) + to + source.slice(i + from.length);
}
