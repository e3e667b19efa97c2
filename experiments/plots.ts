// Figures with Vega-Lite, rendered headless to SVG (vega's View.toSVG) and to PNG with resvg.
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { UnitSpec } from 'vega-lite/types_unstable/spec/index.js';

export interface CurvePoint {
  agent: string;
  noise: string;
  norm: string;
  step: number;
  mean: number;
  low: number;
  high: number;
}

export interface IntervalPoint {
  agent: string;
  noise: string;
  norm: string;
  point: number;
  low: number;
  high: number;
}

const NORM_ORDER = ['none', 'weight', 'weight-meanonly', 'batch', 'layer'];
const color = { field: 'norm', type: 'nominal', title: 'norm', sort: NORM_ORDER, scale: { scheme: 'category10' } } as const;

/** Writes `<base>.svg` and `<base>.png`; returns their file names. */
export async function renderFigure(spec: vl.TopLevelSpec, base: string): Promise<{ svg: string; png: string }> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  fs.mkdirSync(path.dirname(base), { recursive: true });
  fs.writeFileSync(`${base}.svg`, svg);
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
  fs.writeFileSync(`${base}.png`, png);
  return { svg: `${path.basename(base)}.svg`, png: `${path.basename(base)}.png` };
}

type Layer = UnitSpec<Field>;

/** Panels of `layer` in a grid: one row per agent, one column per value of `column`. */
function grid(points: object[], title: string, column: string, size: { width: number; height: number }, layer: Layer[], resolve?: vl.TopLevelSpec['resolve']): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: points },
    facet: { row: { field: 'agent', type: 'nominal', title: null }, column: { field: column, type: 'nominal', title: null } },
    spec: { ...size, layer },
    ...(resolve === undefined ? {} : { resolve }),
  };
}

/** A mean line per norm over its 95% band (`low`..`high`) against the quantitative field `x`. */
function bandAndLine(x: string, xTitle: string, yTitle: string, line: { point?: boolean }): Layer[] {
  return [
    { mark: { type: 'area', opacity: 0.18 }, encoding: { x: { field: x, type: 'quantitative', title: xTitle }, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' }, color } },
    { mark: { type: 'line', strokeWidth: 1.6, ...line }, encoding: { x: { field: x, type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' }, color } },
  ];
}

/** Mean training return per norm with a 95% bootstrap band across seeds; rows: agents, columns: noise. */
export function learningCurveSpec(points: CurvePoint[], title: string): vl.TopLevelSpec {
  return grid(points, title, 'noise', { width: 220, height: 160 }, bandAndLine('step', 'environment steps', 'training return', {}), { scale: { y: 'independent' } });
}

/** Final evaluation return per norm: IQM with its 95% stratified-bootstrap interval. */
export function intervalSpec(points: IntervalPoint[], title: string, xTitle: string): vl.TopLevelSpec {
  // One x scale for every panel (no resolve), so norms compare across noise settings at a glance.
  return grid(points, title, 'noise', { width: 200, height: 110 }, [
    { mark: { type: 'rule', strokeWidth: 3, opacity: 0.6 }, encoding: { y: { field: 'norm', type: 'nominal', sort: NORM_ORDER, title: null }, x: { field: 'low', type: 'quantitative', title: xTitle }, x2: { field: 'high' }, color } },
    { mark: { type: 'point', filled: true, size: 50 }, encoding: { y: { field: 'norm', type: 'nominal', sort: NORM_ORDER }, x: { field: 'point', type: 'quantitative' }, color } },
  ]);
}

export interface RobustnessPoint {
  agent: string;
  /** Training noise setting and swept wrapper, e.g. "clean · observationNoise". */
  panel: string;
  norm: string;
  strength: number;
  mean: number;
  low: number;
  high: number;
  /** How many runs (seeds) the point averages. */
  runs: number;
}

/** Evaluation return of the final policies against test-time perturbation strength, per norm (95% bootstrap band). */
export function robustnessSpec(points: RobustnessPoint[], title: string): vl.TopLevelSpec {
  return grid(points, title, 'panel', { width: 200, height: 150 }, bandAndLine('strength', 'perturbation strength', 'evaluation return', { point: true }), { scale: { x: 'independent' } });
}
