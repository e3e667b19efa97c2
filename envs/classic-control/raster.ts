// A small rasterizer for the classic-control renderers: RGB frames (height × width × 3, uint8, row 0 at
// the top, Gymnasium's rgb_array layout) with filled polygons, circles and lines, drawn in a y-up world
// as pygame's gfxdraw calls are before Gymnasium flips the surface. No anti-aliasing.

import type { RgbFrame } from '../core.ts';

export type Rgb = readonly [number, number, number];
export type Point = readonly [number, number];

/** A canvas in y-up pixel coordinates (y = 0 is the bottom row), as Gymnasium draws before its flip. */
export class Canvas {
  readonly frame: RgbFrame;

  constructor(width: number, height: number, background: Rgb = [255, 255, 255]) {
    const data = new Uint8Array(width * height * 3);
    data.set(background);
    // fill by doubling the filled prefix (a few copies instead of one call per pixel)
    for (let filled = 3; filled < data.length; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
    this.frame = { width, height, data };
  }

  private set(x: number, y: number, c: Rgb): void {
    const { width, height, data } = this.frame;
    if (x < 0 || x >= width || y < 0 || y >= height) return;
    data.set(c, ((height - 1 - y) * width + x) * 3);
  }

  /** Fills a polygon (even-odd rule, pixel centres). */
  polygon(points: readonly Point[], c: Rgb): void {
    const ys = points.map((p) => p[1]);
    const y0 = Math.max(0, Math.floor(Math.min(...ys)));
    const y1 = Math.min(this.frame.height - 1, Math.ceil(Math.max(...ys)));
    for (let y = y0; y <= y1; y++) {
      const yc = y + 0.5;
      const xs: number[] = [];
      for (let i = 0; i < points.length; i++) {
        const [ax, ay] = points[i]!;
        const [bx, by] = points[(i + 1) % points.length]!;
        if (ay <= yc !== by <= yc) xs.push(ax + ((yc - ay) / (by - ay)) * (bx - ax));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        for (let x = Math.ceil(xs[k]! - 0.5); x + 0.5 <= xs[k + 1]!; x++) this.set(x, y, c);
      }
    }
  }

  /** Fills a circle. */
  circle([cx, cy]: Point, radius: number, c: Rgb): void {
    for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
      for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) this.set(x, y, c);
      }
    }
  }

  /** A line `width` pixels wide (a thin rectangle along it) through pixel centres: a line at y = 100 covers row 100, as gfxdraw's. */
  line([ax, ay]: Point, [bx, by]: Point, c: Rgb, width = 1): void {
    [ax, ay, bx, by] = [ax + 0.5, ay + 0.5, bx + 0.5, by + 0.5];
    const len = Math.hypot(bx - ax, by - ay) || 1;
    const nx = (-(by - ay) / len) * (width / 2);
    const ny = ((bx - ax) / len) * (width / 2);
    this.polygon([[ax + nx, ay + ny], [bx + nx, by + ny], [bx - nx, by - ny], [ax - nx, ay - ny]], c);
  }
}

/** Rotates `points` by `angle` (radians, counter-clockwise) and moves them by (dx, dy). */
export function place(points: readonly Point[], angle: number, dx: number, dy: number): Point[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return points.map(([x, y]) => [x * c - y * s + dx, x * s + y * c + dy] as const);
}
