/**
 * numdl/plots — figures and reports for the examples (a separate entry point:
 * importing `numdl` does not load this, nor its optional dependencies).
 *
 * PNG rasters (image grids, decision regions) are encoded with `pngjs`;
 * charts (histories, spectra, histograms, scatter, contour, surface) are
 * Vega-Lite / Vega specifications rendered to SVG by `vega` in Node, offline,
 * without a canvas. These packages are loaded on first use; `formatTable` and
 * `progressBar` need none of them.
 */
export { saveImageGrid, type ImageGridOptions } from './imageGrid.js';
export { saveDecisionRegions, type DecisionRegionsOptions } from './decisionRegions.js';
export { saveLineChart, type Series, type LineChartOptions } from './lineChart.js';
export { saveSpectrum, type SpectrumOptions } from './spectrum.js';
export { saveHistogram, histogramCounts, type HistogramOptions } from './histogram.js';
export { saveScatter, type ScatterOptions } from './scatter.js';
export { saveContour, contourSegments, contourLevels, type ContourOptions, type ContourSegment } from './contour.js';
export { saveSurface, type SurfaceOptions } from './surface.js';
export { readGrid, type GridData, type GridInputOptions } from './grid.js';
export { colormap, colormapRange, classColor, PALETTE, type ColormapName, type Rgb } from './colors.js';
export { progressBar, type ProgressBar, type ProgressBarOptions } from './progressBar.js';
export { formatTable, formatCell, type TableColumn, type TableOptions } from './formatTable.js';
