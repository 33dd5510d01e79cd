import { runTraining } from './src/trainer.ts';
import { DEFAULT_CONFIG } from './src/config.ts';
runTraining({ config: { ...DEFAULT_CONFIG, iterations: 3 } }, (m, t) => { structuredClone(m, { transfer: t ?? [] }); console.log(m.type); });
