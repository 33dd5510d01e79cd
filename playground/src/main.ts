/**
 * The playground page: reads the configuration from the form (and the URL),
 * runs training in a Web Worker and draws what the worker reports.
 *
 * Pause terminates the worker (a synchronous optimizer cannot listen while
 * it runs); Train and Step start a new worker from the last iterate received.
 * The page itself never imports numdl (only types): the library runs in the workers.
 */
import { DEFAULT_CONFIG, LABELS, OPTIMIZER_DEFAULTS, OPTIMIZER_FIELDS, classCount, configFromQuery, configToQuery, stepSize, validateConfig, type PlaygroundConfig } from './config.js';
import { accuracySpec, lossSpec, regionImage, regionsSpec, spectrumSpec, trajectoriesSpec, type HistoryPoint, type XAxis } from './figures.js';
import { canvasPainter, drawPlot, svgPainter, type PlotImage, type PlotSpec } from './plot.js';
import type { ProgressMessage, RunRequest, SetupMessage, TrainerMessage, ViewsMessage } from './trainer.js';
import type { ExportRequest } from './worker.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');

/** The page's state (one object; nothing else is mutable). */
const state = {
  config: { ...DEFAULT_CONFIG } as PlaygroundConfig,
  worker: null as Worker | null,
  running: false,
  history: [] as HistoryPoint[],
  rows: [] as Record<string, number | string | boolean>[],
  lastX: null as Float64Array | null,
  lastIter: 0,
  lastTime: 0,
  setup: null as SetupMessage | null,
  views: null as ViewsMessage | null,
  /** The decision regions of `views` as an image (made once per views message). */
  regions: null as PlotImage | null,
  xAxis: 'iter' as XAxis,
  /** Fit the spectrum view to the eigenvalues. */
  zoom: false,
  /** performance.now() when Train was pressed on a fresh run, and when 90 % was first reached. */
  trainStart: NaN,
  timeTo90: NaN,
  /** Wall seconds of earlier (paused) segments, for the time to 90 %. */
  wallBefore: 0,
  drawPending: false,
  finished: false,
  /** Cumulative table columns (Hv mat-vecs, evaluations) at the start of the current run: a resumed optimizer counts from 0. */
  base: { matvecs: 0, evals: 0 },
};

// ---------------------------------------------------------------------------
// Form ⇄ configuration

function fields(): (HTMLInputElement | HTMLSelectElement)[] {
  return Array.from(form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[name], select[name]')).filter((e) => e.name !== 'xaxis' && e.name !== 'zoom');
}

function writeForm(c: PlaygroundConfig): void {
  for (const el of fields()) {
    const v = c[el.name as keyof PlaygroundConfig];
    if (v !== undefined) el.value = String(v);
  }
  updateVisibility(c);
}

function readForm(): PlaygroundConfig {
  const c = { ...state.config } as Record<string, string | number>;
  for (const el of fields()) {
    const key = el.name;
    if (el instanceof HTMLSelectElement) c[key] = el.value;
    else c[key] = el.value.trim() === '' ? NaN : Number(el.value);
  }
  return c as unknown as PlaygroundConfig;
}

/** Show only the settings that matter for the chosen step type and optimizer. */
function updateVisibility(c: PlaygroundConfig): void {
  const wanted = new Set<string>(OPTIMIZER_FIELDS[c.optimizer]);
  form.querySelectorAll<HTMLElement>('[data-opt-field]').forEach((el) => (el.hidden = !wanted.has(el.dataset.optField!)));
  form.querySelectorAll<HTMLElement>('[data-only-step]').forEach((el) => (el.hidden = el.dataset.onlyStep !== c.step));
  $('iterations-label').textContent = c.optimizer === 'sgd' || c.optimizer === 'adam' ? 'Epochs' : 'Iterations';
  $('h-value').textContent = formatNumber(stepSize(c));
  $('budget').textContent = String(c.iterations);
}

function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(digits)));
}

function setMessage(text: string, error = false): void {
  const el = $('message');
  el.textContent = text;
  el.classList.toggle('error', error);
}

/** A changed control: validate, put the configuration in the URL, start over. */
function onConfigChange(e: Event): void {
  const target = e.target as HTMLInputElement | HTMLSelectElement;
  if (target.name === 'xaxis' || target.id === 'zoom') return;
  let c = readForm();
  if (target.name === 'optimizer') {
    c = { ...c, ...OPTIMIZER_DEFAULTS[c.optimizer] };
    writeForm(c);
  }
  const problems = validateConfig(c);
  if (problems.length) {
    setMessage(problems.join('; '), true);
    target.setAttribute('aria-invalid', 'true');
    return;
  }
  fields().forEach((el) => el.removeAttribute('aria-invalid'));
  setConfig(c);
}

function setConfig(c: PlaygroundConfig): void {
  state.config = c;
  updateVisibility(c);
  history.replaceState(null, '', `${location.pathname}?${configToQuery(c)}`);
  reset();
}

// ---------------------------------------------------------------------------
// The worker

function stopWorker(): void {
  state.worker?.terminate();
  state.worker = null;
  state.running = false;
}

function startWorker(req: RunRequest, training: boolean): void {
  stopWorker();
  const last = state.rows[state.rows.length - 1];
  const count = (k: 'matvecs' | 'evals') => (req.x0 && typeof last?.[k] === 'number' ? (last[k] as number) : 0);
  state.base = { matvecs: count('matvecs'), evals: count('evals') };
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  state.worker = worker;
  state.running = training;
  worker.onmessage = (e: MessageEvent<TrainerMessage | { type: 'error'; message: string }>) => {
    if (state.worker !== worker) return; // a message from a worker being replaced
    onWorkerMessage(e.data);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    if (state.worker !== worker) return;
    stopWorker();
    setMessage(`The worker failed: ${e.message}`, true);
    updateButtons();
  };
  worker.postMessage(req);
  updateButtons();
}

function onWorkerMessage(msg: TrainerMessage | { type: 'error'; message: string }): void {
  switch (msg.type) {
    case 'setup':
      state.setup = msg;
      $('kernels').textContent = `Worker ${msg.kernels}.`;
      $('param-count').textContent = `${msg.nParams} parameters (θ: ${msg.nTheta}).`;
      break;
    case 'progress':
      onProgress(msg);
      break;
    case 'views':
      state.views = msg;
      state.regions = regionImage(msg, classCount(state.config.dataset));
      scheduleDraw();
      break;
    case 'done':
      state.lastIter = msg.iterations;
      state.finished = msg.iterations >= state.config.iterations || msg.status !== 'maxIter' && msg.status !== 'maxEpochs';
      if (state.running) {
        state.wallBefore += (performance.now() - state.trainStart) / 1000;
        setMessage(msg.status === 'maxIter' || msg.status === 'maxEpochs'
          ? `${LABELS[state.config.optimizer]}: ${msg.iterations} of ${state.config.iterations} ${msg.status === 'maxEpochs' ? 'epochs' : 'iterations'} done.`
          : `${LABELS[state.config.optimizer]} stopped at iteration ${msg.iterations}: ${msg.status} (${msg.message}).`);
      }
      stopWorker();
      updateButtons();
      break;
    case 'error':
      stopWorker();
      setMessage(`Training failed: ${msg.message}`, true);
      updateButtons();
      break;
  }
}

function onProgress(p: ProgressMessage): void {
  const point = { iter: p.iter, time: p.time, trainLoss: p.trainLoss, valLoss: p.valLoss, trainAcc: p.trainAcc, valAcc: p.valAcc };
  const row: Record<string, number | string | boolean> = { ...p.row, trainAcc: p.trainAcc, valAcc: p.valAcc, trainTime: p.time };
  for (const k of ['matvecs', 'evals'] as const) if (typeof row[k] === 'number') row[k] = (row[k] as number) + state.base[k];
  // A resumed run reports the iterate it starts from again as its row 0: replace (it has the optimizer's gradient norm).
  const last = state.history.length - 1;
  const again = last >= 0 && state.history[last].iter === p.iter;
  if (again) {
    state.history[last] = point;
    state.rows[last] = row;
  } else {
    state.history.push(point);
    state.rows.push(row);
  }
  setTableRow(row, again);
  state.lastX = p.x;
  state.lastIter = p.iter;
  state.lastTime = p.time;
  $('iteration').textContent = String(p.iter);
  $('val-accuracy').textContent = `${(100 * p.valAcc).toFixed(1)} %`;
  $('train-accuracy').textContent = `${(100 * p.trainAcc).toFixed(1)} %`;
  if (state.running && Number.isNaN(state.timeTo90) && p.valAcc >= 0.9) {
    state.timeTo90 = state.wallBefore + (performance.now() - state.trainStart) / 1000;
    $('time-to-90').textContent = `${state.timeTo90.toFixed(2)} s (iteration ${p.iter})`;
  }
  scheduleDraw();
}

// ---------------------------------------------------------------------------
// Buttons

function train(): void {
  if (state.running || state.finished) return;
  state.trainStart = performance.now();
  startWorker({ config: state.config, x0: state.lastX, startIter: state.lastIter, startTime: state.lastTime }, true);
  setMessage(`Training with ${LABELS[state.config.optimizer]}…`);
}

function pause(): void {
  if (!state.running) return;
  state.wallBefore += (performance.now() - state.trainStart) / 1000;
  stopWorker();
  setMessage(`Paused at iteration ${state.lastIter}.`);
  updateButtons();
}

function step(): void {
  if (state.finished) return;
  if (state.running) pause();
  startWorker({ config: state.config, x0: state.lastX, startIter: state.lastIter, startTime: state.lastTime, maxIter: 1, viewEvery: 0 }, false);
  setMessage(`One ${state.config.optimizer === 'sgd' || state.config.optimizer === 'adam' ? 'epoch' : 'iteration'}.`);
}

/** Back to the seeded initial weights; the worker computes the views of the start. */
function reset(): void {
  stopWorker();
  state.history = [];
  state.rows = [];
  state.lastX = null;
  state.lastIter = 0;
  state.lastTime = 0;
  state.views = null;
  state.regions = null;
  state.finished = false;
  state.timeTo90 = NaN;
  state.wallBefore = 0;
  $('iteration').textContent = '0';
  $('val-accuracy').textContent = '–';
  $('train-accuracy').textContent = '–';
  $('time-to-90').textContent = '–';
  clearTable();
  setMessage('');
  startWorker({ config: state.config, maxIter: 0 }, false);
  scheduleDraw();
}

function updateButtons(): void {
  ($('train') as HTMLButtonElement).disabled = state.running || state.finished;
  ($('pause') as HTMLButtonElement).disabled = !state.running;
  ($('step') as HTMLButtonElement).disabled = state.finished;
  document.body.dataset.running = String(state.running);
}

// ---------------------------------------------------------------------------
// Table

const COLUMNS: { key: string; label: string; format: (v: unknown) => string }[] = [
  { key: 'iter', label: 'iter', format: (v) => String(v) },
  { key: 'value', label: 'objective', format: (v) => num(v, 5) },
  { key: 'gradNorm', label: '‖∇f‖', format: (v) => num(v, 2) },
  { key: 'step', label: 'step α', format: (v) => num(v, 2) },
  { key: 'cgIter', label: 'CG', format: (v) => String(v ?? '') },
  { key: 'lsIter', label: 'LS', format: (v) => String(v ?? '') },
  { key: 'matvecs', label: 'Hv', format: (v) => String(v ?? '') },
  { key: 'trainAcc', label: 'train acc', format: (v) => pct(v) },
  { key: 'valAcc', label: 'val acc', format: (v) => pct(v) },
  { key: 'trainTime', label: 'time [s]', format: (v) => (typeof v === 'number' ? v.toFixed(2) : '') },
];
const num = (v: unknown, d: number) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toExponential(d) : Number.isNaN(v) ? '–' : String(v)) : '');
const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '');

function clearTable(): void {
  const table = $<HTMLTableElement>('table');
  table.tHead!.innerHTML = `<tr>${COLUMNS.map((c) => `<th scope="col">${c.label}</th>`).join('')}</tr>`;
  table.tBodies[0].innerHTML = '';
}

/** Append a row to the iteration table, or overwrite its last row. */
function setTableRow(row: Record<string, unknown>, replaceLast: boolean): void {
  const tr = document.createElement('tr');
  for (const c of COLUMNS) {
    const td = document.createElement('td');
    td.textContent = c.format(row[c.key]);
    tr.appendChild(td);
  }
  const body = $<HTMLTableElement>('table').tBodies[0];
  if (replaceLast && body.lastElementChild) body.replaceChild(tr, body.lastElementChild);
  else body.appendChild(tr);
  const wrap = body.closest('.table-wrap') as HTMLElement;
  wrap.scrollTop = wrap.scrollHeight;
}

// ---------------------------------------------------------------------------
// Figures

/** The figure on each canvas, for redraws and exports. */
function specs(): Record<string, PlotSpec | null> {
  const c = state.config;
  const nc = classCount(c.dataset);
  return {
    regions: regionsSpec(state.regions, state.setup),
    loss: lossSpec(state.history, state.xAxis),
    accuracy: accuracySpec(state.history, state.xAxis),
    trajectories: trajectoriesSpec(state.views, c.T, nc),
    spectrum: spectrumSpec(state.views, state.zoom),
  };
}

function scheduleDraw(): void {
  if (state.drawPending) return;
  state.drawPending = true;
  requestAnimationFrame(() => {
    state.drawPending = false;
    drawAll();
  });
}

function drawAll(): void {
  const all = specs();
  for (const [id, spec] of Object.entries(all)) {
    const canvas = $<HTMLCanvasElement>(id);
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (w === 0 || h === 0) continue;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (spec) drawPlot(canvasPainter(ctx), spec, w, h, w < 360 ? 11 : 12);
    else {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, w, h);
    }
  }
  const v = state.views?.spectrum;
  $('verdict').textContent = v
    ? `h = ${formatNumber(v.h)}: ${v.verdict.stable ? 'every hλ inside the region (stable)' : `${v.verdict.outside} of ${v.re.length} outside`}; `
      + (v.verdict.hMax === 0
        ? (v.region === 'euler' ? 'no step size is stable for them (some Re λ > 0)' : 'no step size is stable for them (some λ off the imaginary axis)')
        : `largest stable h for these eigenvalues ${v.verdict.hMax === Infinity ? '∞' : formatNumber(v.verdict.hMax)}`)
      + (v.region === 'euler' ? `; max |1 + hλ| = ${formatNumber(v.verdict.maxFactor, 4)}.` : `; max h|λ|/2 = ${formatNumber(v.verdict.maxFactor, 4)}.`)
    : '';
}

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function exportFigure(id: string, format: string): void {
  const spec = specs()[id];
  if (!spec) {
    setMessage('Nothing to export yet.');
    return;
  }
  const canvas = $<HTMLCanvasElement>(id);
  const w = Math.max(480, canvas.clientWidth), h = Math.round((w * canvas.clientHeight) / Math.max(1, canvas.clientWidth));
  const base = `numdl-playground-${id}-${state.config.dataset}-${state.config.step}-${state.config.optimizer}-iter${state.lastIter}`;
  if (format === 'svg') {
    const p = svgPainter(w, h);
    drawPlot(p, spec, w, h);
    download(`${base}.svg`, new Blob([p.svg()], { type: 'image/svg+xml' }));
    return;
  }
  const scale = 2;
  const off = document.createElement('canvas');
  off.width = w * scale;
  off.height = h * scale;
  const ctx = off.getContext('2d')!;
  ctx.scale(scale, scale);
  drawPlot(canvasPainter(ctx), spec, w, h);
  off.toBlob((b) => b && download(`${base}.png`, b), 'image/png');
}

function exportModel(): void {
  if (!state.lastX) {
    setMessage('Nothing to export yet: the initial weights are still being computed.');
    return;
  }
  // A worker of its own builds it (numdl lives in the workers only), beside a training run if one is going.
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const iteration = state.lastIter;
  worker.onmessage = (e: MessageEvent<{ type: string; json?: string; message?: string }>) => {
    worker.terminate();
    if (e.data.type === 'model' && e.data.json) download(`numdl-playground-model-iter${iteration}.json`, new Blob([e.data.json], { type: 'application/json' }));
    else setMessage(`Export failed: ${e.data.message ?? e.data.type}`, true);
  };
  worker.postMessage({ kind: 'export', config: state.config, x: state.lastX, iteration } satisfies ExportRequest);
}

async function copyLink(): Promise<void> {
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    setMessage('Link copied: it reproduces this configuration.');
  } catch {
    setMessage(`Link: ${url}`);
  }
}

// ---------------------------------------------------------------------------
// Wiring

function init(): void {
  const { config, warnings } = configFromQuery(location.search);
  state.config = config;
  writeForm(config);
  history.replaceState(null, '', `${location.pathname}?${configToQuery(config)}`);
  clearTable();
  form.addEventListener('change', onConfigChange);
  form.addEventListener('submit', (e) => e.preventDefault());
  $('train').addEventListener('click', train);
  $('pause').addEventListener('click', pause);
  $('step').addEventListener('click', step);
  $('reset').addEventListener('click', reset);
  $('copy-link').addEventListener('click', () => void copyLink());
  $('export-model').addEventListener('click', exportModel);
  document.querySelectorAll<HTMLInputElement>('input[name="xaxis"]').forEach((r) => r.addEventListener('change', () => {
    state.xAxis = r.value as XAxis;
    scheduleDraw();
  }));
  $<HTMLInputElement>('zoom').addEventListener('change', (e) => {
    state.zoom = (e.target as HTMLInputElement).checked;
    scheduleDraw();
  });
  document.querySelectorAll<HTMLElement>('.export button').forEach((b) => {
    const title = b.closest('figure')?.querySelector('h2')?.textContent ?? 'figure';
    b.setAttribute('aria-label', `Download ${title}${b.textContent!.includes(' ') ? ` (${b.textContent!.split(' ')[0].toLowerCase()})` : ''} as ${b.dataset.format!.toUpperCase()}`);
  });
  document.querySelectorAll<HTMLElement>('.export').forEach((div) => div.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest('button');
    if (b) exportFigure(div.dataset.figure!, b.dataset.format!);
  }));
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || t.closest('input, select, textarea')) return;
    const action = ({ t: train, p: pause, s: step, r: reset } as Record<string, () => void>)[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  });
  new ResizeObserver(() => scheduleDraw()).observe(document.querySelector('.figures')!);
  reset();
  if (warnings.length) setMessage(`Link problems: ${warnings.join('; ')}`, true);
}

init();
