/**
 * A small 2-D plot renderer for the playground's figures. A figure is a
 * {@link PlotSpec} (axes, lines, markers, filled shapes, an image) drawn
 * through a {@link Painter}: one painter draws on a canvas (the page, PNG
 * export), the other writes SVG (SVG export) — the same figure either way.
 */

/** A polyline in data coordinates (NaN breaks the line). */
export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  width?: number;
  dash?: number[];
  label?: string;
  alpha?: number;
}

/** Markers in data coordinates. */
export interface MarkerSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** One colour, or one per marker. */
  color: string | string[];
  radius: number;
  stroke?: string;
  label?: string;
}

/** A filled polygon in data coordinates. */
export interface PolygonShape {
  x: number[];
  y: number[];
  fill: string;
  stroke?: string;
}

/** An image stretched over a data rectangle. */
export interface PlotImage {
  /** PNG data URL (for SVG) and the source to draw on a canvas. */
  dataUrl: string;
  source: CanvasImageSource;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** A whole figure. */
export interface PlotSpec {
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  /** Logarithmic y axis (ranges are then in data units, > 0). */
  yLog?: boolean;
  /** Same scale on both axes (the plot area is centred). */
  equal?: boolean;
  image?: PlotImage;
  polygons?: PolygonShape[];
  lines?: LineSeries[];
  markers?: MarkerSeries[];
  /** Legend entries (drawn inside the plot area, top right unless `legendAt` says otherwise). */
  legend?: { label: string; color: string; dash?: number[] }[];
  legendAt?: 'top-right' | 'bottom-right';
  /** A note drawn top left inside the plot area. */
  note?: string;
}

/** What a renderer must do (pixel coordinates, y down). */
export interface Painter {
  line(xs: number[], ys: number[], color: string, width: number, dash?: number[], alpha?: number): void;
  circle(x: number, y: number, r: number, fill: string, stroke?: string): void;
  polygon(xs: number[], ys: number[], fill: string, stroke?: string): void;
  rect(x: number, y: number, w: number, h: number, fill: string): void;
  text(x: number, y: number, s: string, opts: { align?: 'left' | 'center' | 'right'; baseline?: 'top' | 'middle' | 'bottom'; size?: number; color?: string; rotate?: boolean }): void;
  image(img: PlotImage, x: number, y: number, w: number, h: number): void;
  clip(x: number, y: number, w: number, h: number): void;
  unclip(): void;
}

/** About five round tick values covering [a, b]. */
export function niceTicks(a: number, b: number, count = 5): number[] {
  if (!(b > a)) return [a];
  const raw = (b - a) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(a / step - 1e-9) * step; v <= b + 1e-9 * step; v += step) out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return out;
}

/** Tick values of a log axis: the powers of ten in [a, b] (and 2, 5 times them when few). */
function logTicks(a: number, b: number): number[] {
  const lo = Math.floor(Math.log10(a)), hi = Math.ceil(Math.log10(b));
  const out: number[] = [];
  const mults = hi - lo <= 2 ? [1, 2, 5] : [1];
  for (let e = lo; e <= hi; e++) for (const f of mults) {
    const v = f * 10 ** e;
    if (v >= a * (1 - 1e-9) && v <= b * (1 + 1e-9)) out.push(v);
  }
  return out;
}

/** A short label of a tick value. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * Draw a figure into a w × h pixel area.
 * @param font base font size in pixels
 */
export function drawPlot(p: Painter, spec: PlotSpec, w: number, h: number, font = 12): void {
  p.rect(0, 0, w, h, '#ffffff');
  const left = 3.9 * font, right = 0.8 * font, top = 0.8 * font, bottom = 3 * font;
  let pw = Math.max(10, w - left - right), ph = Math.max(10, h - top - bottom);
  let ox = left, oy = top;
  const [x0, x1] = spec.xRange;
  const ly = (v: number) => (spec.yLog ? Math.log10(v) : v);
  const y0 = ly(spec.yRange[0]), y1 = ly(spec.yRange[1]);
  if (spec.equal) {
    const s = Math.min(pw / (x1 - x0), ph / (y1 - y0));
    const nw = s * (x1 - x0), nh = s * (y1 - y0);
    ox += (pw - nw) / 2;
    oy += (ph - nh) / 2;
    pw = nw;
    ph = nh;
  }
  const X = (v: number) => ox + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => oy + ph - ((ly(v) - y0) / (y1 - y0)) * ph;

  // Grid and ticks
  const xt = niceTicks(x0, x1);
  const yt = spec.yLog ? logTicks(spec.yRange[0], spec.yRange[1]) : niceTicks(y0, y1);
  for (const v of xt) {
    p.line([X(v), X(v)], [oy, oy + ph], '#e5e5e5', 1);
    p.text(X(v), oy + ph + 0.35 * font, formatTick(v), { align: 'center', baseline: 'top', size: 0.9 * font, color: '#444' });
  }
  for (const v of yt) {
    p.line([ox, ox + pw], [Y(v), Y(v)], '#e5e5e5', 1);
    p.text(ox - 0.35 * font, Y(v), formatTick(v), { align: 'right', baseline: 'middle', size: 0.9 * font, color: '#444' });
  }
  p.text(ox + pw / 2, oy + ph + 1.7 * font, spec.xLabel, { align: 'center', baseline: 'top', size: font, color: '#222' });
  p.text(0.2 * font, oy + ph / 2, spec.yLabel, { align: 'center', baseline: 'top', size: font, color: '#222', rotate: true });

  p.clip(ox, oy, pw, ph);
  if (spec.image) {
    const im = spec.image;
    p.image(im, X(im.x0), Y(im.y1), X(im.x1) - X(im.x0), Y(im.y0) - Y(im.y1));
  }
  for (const g of spec.polygons ?? []) p.polygon(g.x.map(X), g.y.map(Y), g.fill, g.stroke);
  for (const s of spec.lines ?? []) {
    // Split at NaN (and at non-positive values on a log axis).
    let xs: number[] = [], ys: number[] = [];
    const flush = () => {
      if (xs.length > 1) p.line(xs, ys, s.color, s.width ?? 1.5, s.dash, s.alpha);
      xs = [];
      ys = [];
    };
    for (let i = 0; i < s.x.length; i++) {
      const a = s.x[i], b = s.y[i];
      if (!Number.isFinite(a) || !Number.isFinite(b) || (spec.yLog && b <= 0)) flush();
      else {
        xs.push(X(a));
        ys.push(Y(b));
      }
    }
    flush();
  }
  for (const m of spec.markers ?? []) {
    for (let i = 0; i < m.x.length; i++) {
      const c = typeof m.color === 'string' ? m.color : m.color[i];
      p.circle(X(m.x[i]), Y(m.y[i]), m.radius, c, m.stroke);
    }
  }
  p.unclip();
  p.line([ox, ox + pw, ox + pw, ox, ox], [oy, oy, oy + ph, oy + ph, oy], '#999', 1);

  if (spec.legend?.length) {
    const rowH = 1.25 * font;
    const width = Math.max(...spec.legend.map((e) => e.label.length)) * 0.6 * font + 2.6 * font;
    const boxH = rowH * spec.legend.length + 0.4 * font;
    const lx = ox + pw - width - 0.4 * font, ly0 = spec.legendAt === 'bottom-right' ? oy + ph - boxH - 0.4 * font : oy + 0.4 * font;
    p.rect(lx, ly0, width, boxH, 'rgba(255,255,255,0.85)');
    spec.legend.forEach((e, i) => {
      const cy = ly0 + 0.2 * font + rowH * (i + 0.5);
      p.line([lx + 0.3 * font, lx + 1.7 * font], [cy, cy], e.color, 2.5, e.dash);
      p.text(lx + 2.1 * font, cy, e.label, { align: 'left', baseline: 'middle', size: 0.9 * font, color: '#222' });
    });
  }
  if (spec.note) p.text(ox + 0.4 * font, oy + 0.4 * font, spec.note, { align: 'left', baseline: 'top', size: 0.9 * font, color: '#222' });
}

/** A painter on a canvas 2-D context (pixel coordinates of the context). */
export function canvasPainter(ctx: CanvasRenderingContext2D): Painter {
  return {
    line(xs, ys, color, width, dash, alpha) {
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.lineJoin = 'round';
      if (alpha !== undefined) ctx.globalAlpha = alpha;
      ctx.setLineDash(dash ?? []);
      ctx.beginPath();
      xs.forEach((x, i) => (i ? ctx.lineTo(x, ys[i]) : ctx.moveTo(x, ys[i])));
      ctx.stroke();
      ctx.restore();
    },
    circle(x, y, r, fill, stroke) {
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = fill;
      ctx.fill();
      if (stroke) {
        ctx.strokeStyle = stroke;
        ctx.lineWidth = 0.8;
        ctx.stroke();
      }
    },
    polygon(xs, ys, fill, stroke) {
      ctx.beginPath();
      xs.forEach((x, i) => (i ? ctx.lineTo(x, ys[i]) : ctx.moveTo(x, ys[i])));
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.fill();
      if (stroke) {
        ctx.strokeStyle = stroke;
        ctx.lineWidth = 1.2;
        ctx.stroke();
      }
    },
    rect(x, y, w, h, fill) {
      ctx.fillStyle = fill;
      ctx.fillRect(x, y, w, h);
    },
    text(x, y, s, o) {
      ctx.save();
      ctx.font = `${o.size ?? 12}px system-ui, sans-serif`;
      ctx.fillStyle = o.color ?? '#222';
      ctx.textAlign = o.align ?? 'left';
      ctx.textBaseline = o.baseline ?? 'alphabetic';
      if (o.rotate) {
        ctx.translate(x, y);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(s, 0, 0);
      } else ctx.fillText(s, x, y);
      ctx.restore();
    },
    image(img, x, y, w, h) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(img.source, x, y, w, h);
    },
    clip(x, y, w, h) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, y, w, h);
      ctx.clip();
    },
    unclip() {
      ctx.restore();
    },
  };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (v: number) => (Math.round(v * 100) / 100).toString();

/** A painter that collects SVG elements; `svg()` returns the document. */
export function svgPainter(w: number, h: number): Painter & { svg(): string } {
  const parts: string[] = [];
  let clipId = 0;
  let open = 0;
  return {
    line(xs, ys, color, width, dash, alpha) {
      const pts = xs.map((x, i) => `${f(x)},${f(ys[i])}`).join(' ');
      parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"${dash?.length ? ` stroke-dasharray="${dash.join(' ')}"` : ''}${alpha !== undefined ? ` stroke-opacity="${alpha}"` : ''}/>`);
    },
    circle(x, y, r, fill, stroke) {
      parts.push(`<circle cx="${f(x)}" cy="${f(y)}" r="${r}" fill="${fill}"${stroke ? ` stroke="${stroke}" stroke-width="0.8"` : ''}/>`);
    },
    polygon(xs, ys, fill, stroke) {
      parts.push(`<polygon points="${xs.map((x, i) => `${f(x)},${f(ys[i])}`).join(' ')}" fill="${fill}"${stroke ? ` stroke="${stroke}" stroke-width="1.2"` : ''}/>`);
    },
    rect(x, y, rw, rh, fill) {
      parts.push(`<rect x="${f(x)}" y="${f(y)}" width="${f(rw)}" height="${f(rh)}" fill="${fill}"/>`);
    },
    text(x, y, s, o) {
      const anchor = o.align === 'center' ? 'middle' : o.align === 'right' ? 'end' : 'start';
      const base = o.baseline === 'top' ? 'hanging' : o.baseline === 'middle' ? 'middle' : 'alphabetic';
      const tr = o.rotate ? ` transform="rotate(-90 ${f(x)} ${f(y)})"` : '';
      const at = o.rotate ? `x="${f(x)}" y="${f(y)}"` : `x="${f(x)}" y="${f(y)}"`;
      parts.push(`<text ${at}${tr} font-family="system-ui, sans-serif" font-size="${o.size ?? 12}" fill="${o.color ?? '#222'}" text-anchor="${anchor}" dominant-baseline="${base}">${esc(s)}</text>`);
    },
    image(img, x, y, iw, ih) {
      parts.push(`<image href="${img.dataUrl}" x="${f(x)}" y="${f(y)}" width="${f(iw)}" height="${f(ih)}" preserveAspectRatio="none"/>`);
    },
    clip(x, y, cw, ch) {
      clipId++;
      parts.push(`<clipPath id="c${clipId}"><rect x="${f(x)}" y="${f(y)}" width="${f(cw)}" height="${f(ch)}"/></clipPath><g clip-path="url(#c${clipId})">`);
      open++;
    },
    unclip() {
      if (open > 0) {
        parts.push('</g>');
        open--;
      }
    },
    svg() {
      return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">\n${parts.join('\n')}\n</svg>\n`;
    },
  };
}
