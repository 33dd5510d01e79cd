const Orig = WebAssembly.Memory;
(WebAssembly as any).Memory = function (d: any) { if (d.shared) throw new Error('no shared'); return new Orig(d); } as any;
const { runTraining } = await import('./src/trainer.ts');
const { DEFAULT_CONFIG } = await import('./src/config.ts');
const nd = await import('numdl');
console.log((nd as any).kernelInfoLine());
runTraining({ config: { ...DEFAULT_CONFIG, iterations: 3 } }, (m, t) => { structuredClone(m, { transfer: t ?? [] }); console.log(m.type); });
