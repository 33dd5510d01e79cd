import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** A fresh temporary folder for the files a test writes. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'numdl-plots-'));
}

/** Decode a PNG file and check it is non-empty, of the given size, with more than one colour; returns the image. */
export function readPng(path: string, width?: number, height?: number): PNG {
  assert.ok(statSync(path).size > 0, `${path} is empty`);
  const png = PNG.sync.read(readFileSync(path));
  if (width !== undefined) assert.equal(png.width, width, 'PNG width');
  if (height !== undefined) assert.equal(png.height, height, 'PNG height');
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length && colours.size < 2; i += 4) colours.add(png.data.readUInt32BE(i));
  assert.ok(colours.size > 1, `${path} has a single colour`);
  return png;
}

/** RGB of pixel (x, y). */
export function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const o = 4 * (x + png.width * y);
  return [png.data[o], png.data[o + 1], png.data[o + 2]];
}

/** Read an SVG file, check it starts with `<svg` and contains `text` (e.g. the title). */
export function readSvg(path: string, ...texts: string[]): string {
  const svg = readFileSync(path, 'utf8');
  assert.ok(svg.length > 0, `${path} is empty`);
  assert.ok(svg.startsWith('<svg'), `${path} does not start with <svg: ${svg.slice(0, 40)}`);
  assert.ok(svg.trimEnd().endsWith('</svg>'), `${path} does not end with </svg>`);
  for (const t of texts) assert.ok(svg.includes(t), `${path} does not contain '${t}'`);
  return svg;
}
