/**
 * Time to 90 % validation accuracy of every optimizer in the playground's
 * default configuration (Peaks, ResNet width 8, N = 16, T = 4, tanh; each
 * optimizer with its default settings), measured in headless Chromium: the
 * page's own clock from pressing Train to the first iterate with ≥ 90 %
 * validation accuracy (wall time, views and monitoring included), and the
 * optimizer's own time at that iteration (the table's time column: monitoring
 * and views excluded).
 * Rounds are interleaved (optimizer A, B, …, then again A, B, …) on one page
 * per run, one browser.
 *
 *   npx tsx playground/measure.ts [--rounds 2] [--only newtonCG,adam] [--timeout 180]
 */
import { chromiumSkipReason, launchChromium } from '../test/helpers/chromium.js';
import { DEFAULT_CONFIG, LABELS, OPTIMIZERS, OPTIMIZER_DEFAULTS, configToQuery, type OptimizerName } from './src/config.js';
// @ts-expect-error -- plain ESM build scripts without type declarations
import { buildPlayground } from './scripts/build.mjs';
// @ts-expect-error -- plain ESM build scripts without type declarations
import { serveStatic } from './scripts/serve.mjs';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

/** One measurement. */
interface Sample {
  optimizer: OptimizerName;
  /** Seconds from Train to 90 % (NaN: not reached). */
  seconds: number;
  /** Iteration (epoch) at which 90 % was reached. */
  iteration: number;
  /** The optimizer's own time at that iteration (the table's, monitoring and views excluded). */
  training: number;
  /** Validation accuracy (%) and iteration at the end of the run. */
  finalAcc: number;
  finalIter: number;
  kernels: string;
}

async function main(): Promise<void> {
  const skip = chromiumSkipReason();
  if (skip) {
    console.log(`measure: ${skip}`);
    return;
  }
  const rounds = Number(arg('rounds', '1'));
  const only = arg('only', OPTIMIZERS.join(',')).split(',') as OptimizerName[];
  const timeout = 1000 * Number(arg('timeout', '180'));
  const server = await serveStatic(await buildPlayground({ outdir: 'out/playground-site' }), 0);
  const { browser, close } = await launchChromium();
  const samples: Sample[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const optimizer of only) {
        const config = { ...DEFAULT_CONFIG, optimizer, ...OPTIMIZER_DEFAULTS[optimizer] };
        const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
        await page.goto(`${server.url}?${configToQuery(config)}`);
        await page.waitForFunction(`document.querySelectorAll('#table tbody tr').length >= 1`, null, { timeout: 60_000 });
        await page.click('[data-testid="train"]');
        // Until 90 % is reached or the run ends (Train and Pause both disabled: finished; Train enabled again: stopped).
        await page.waitForFunction(`document.querySelector('[data-testid="time-to-90"]').textContent !== '–'
          || document.querySelector('#pause').disabled`, null, { timeout, polling: 100 });
        const text = (await page.textContent('[data-testid="time-to-90"]')) ?? '–';
        const m = /([\d.]+) s \(iteration (\d+)\)/.exec(text);
        const iteration = m ? Number(m[2]) : NaN;
        const training = m ? Number(await page.evaluate(`Array.from(document.querySelectorAll('#table tbody tr')).find((r) => r.cells[0].textContent === '${iteration}')?.cells[9].textContent`)) : NaN;
        const s: Sample = {
          optimizer,
          seconds: m ? Number(m[1]) : NaN,
          iteration,
          training,
          finalAcc: parseFloat((await page.textContent('[data-testid="val-accuracy"]')) ?? ''),
          finalIter: Number(await page.textContent('[data-testid="iteration"]')),
          kernels: ((await page.textContent('#kernels')) ?? '').replace(/^Worker /, ''),
        };
        samples.push(s);
        console.log(`round ${r + 1} ${LABELS[optimizer]}: ${m ? `${s.seconds.toFixed(2)} s at iteration ${s.iteration}` : `not reached (val ${s.finalAcc} % after ${s.finalIter})`}`);
        await page.close();
      }
    }
  } finally {
    await close();
    await server.close();
  }
  console.log(`\n${samples[0]?.kernels ?? ''}\n`);
  console.log('| optimizer | settings | time to 90 % [s] | of which training [s] | iteration (epoch) at 90 % |');
  console.log('|---|---|---:|---:|---:|');
  for (const optimizer of only) {
    const mine = samples.filter((s) => s.optimizer === optimizer);
    const times = mine.map((s) => (Number.isNaN(s.seconds) ? 'not reached' : s.seconds.toFixed(2))).join(', ');
    const training = mine.map((s) => (Number.isNaN(s.training) ? '–' : s.training.toFixed(2))).join(', ');
    const iters = mine.map((s) => (Number.isNaN(s.iteration) ? '–' : String(s.iteration))).join(', ');
    const d = OPTIMIZER_DEFAULTS[optimizer];
    const settings = Object.entries(d).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${LABELS[optimizer]} | ${settings} | ${times} | ${training} | ${iters} |`);
  }
}

await main();
