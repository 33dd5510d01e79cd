/**
 * A small RGBA raster (rows top to bottom) that the PNG savers paint into.
 */
import type { Rgb } from './colors.js';
import { encodePng, writeOutput } from './render.js';

/** RGBA pixels, `width*height*4` bytes, row-major from the top-left corner. */
export class Raster {
  readonly data: Uint8ClampedArray;
  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.data = new Uint8ClampedArray(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** Set pixel (px, py) if inside; `alpha` blends over what is there. */
  set(px: number, py: number, c: Rgb, alpha = 1): void {
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const o = 4 * (px + this.width * py);
    const d = this.data;
    if (alpha >= 1) {
      d[o] = c[0];
      d[o + 1] = c[1];
      d[o + 2] = c[2];
    } else {
      d[o] = d[o] + (c[0] - d[o]) * alpha;
      d[o + 1] = d[o + 1] + (c[1] - d[o + 1]) * alpha;
      d[o + 2] = d[o + 2] + (c[2] - d[o + 2]) * alpha;
    }
    d[o + 3] = 255;
  }

  /** Fill the rectangle [x0, x0+w) × [y0, y0+h). */
  fillRect(x0: number, y0: number, w: number, h: number, c: Rgb): void {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(this.width, x0 + w); x++) this.set(x, y, c);
    }
  }

  /** A filled disc of radius r around (cx, cy) with a ring of width `ring` in `outline`. */
  disc(cx: number, cy: number, r: number, fill: Rgb, outline: Rgb, ring = 1): void {
    const R = Math.ceil(r + 1);
    for (let dy = -R; dy <= R; dy++) {
      for (let dx = -R; dx <= R; dx++) {
        const d = Math.hypot(dx, dy);
        if (d > r + 0.5) continue;
        // Anti-alias the outer edge a little.
        const alpha = Math.min(1, r + 0.5 - d);
        this.set(Math.round(cx + dx), Math.round(cy + dy), d > r - ring ? outline : fill, alpha);
      }
    }
  }

  /** Encode as PNG and write to `path` (parent folders created). */
  async save(fn: string, path: string): Promise<string> {
    return writeOutput(path, await encodePng(fn, this.width, this.height, this.data));
  }
}
