// Generates manifest/color.png and manifest/outline.png. Run with `npm run icons`; commit the output.
// Drawn in code (no image library, no binary design file) so the icons can be regenerated and reviewed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COLOR_ICON_SIZE, MANIFEST_DIR, OUTLINE_ICON_SIZE } from './manifestCheck';
import { encodePng, type RgbaImage } from './png';

export const ACCENT_COLOR = '#2F5597';

// 4x4 samples per pixel give smooth edges without a real rasteriser.
const SUPERSAMPLE = 4;

type Shape = (x: number, y: number) => boolean;

/** A key, lying diagonally (bow top-left), in a unit square. */
function keyShape(): Shape {
  const cos = Math.SQRT1_2;
  return (x, y) => {
    // Rotate the sample point by -45 degrees around the centre so the key itself is drawn horizontally.
    const dx = x - 0.5;
    const dy = y - 0.5;
    const u = 0.5 + dx * cos + dy * cos;
    const v = 0.5 - dx * cos + dy * cos;
    const bow = Math.hypot(u - 0.27, v - 0.5);
    if (bow <= 0.2 && bow >= 0.085) return true;
    if (u >= 0.44 && u <= 0.9 && v >= 0.445 && v <= 0.555) return true;
    if (u >= 0.7 && u <= 0.77 && v >= 0.5 && v <= 0.68) return true;
    return u >= 0.82 && u <= 0.9 && v >= 0.5 && v <= 0.64;
  };
}

function roundedSquare(radius: number): Shape {
  return (x, y) => {
    const cx = Math.min(Math.max(x, radius), 1 - radius);
    const cy = Math.min(Math.max(y, radius), 1 - radius);
    return Math.hypot(x - cx, y - cy) <= radius;
  };
}

/** Fraction (0..1) of the pixel at (px, py) covered by `shape`, mapped onto the box [from, to] of the unit square. */
function coverage(shape: Shape, size: number, px: number, py: number, from = 0, to = 1): number {
  let hits = 0;
  for (let sy = 0; sy < SUPERSAMPLE; sy++) {
    for (let sx = 0; sx < SUPERSAMPLE; sx++) {
      const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
      const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
      if (shape((x - from) / (to - from), (y - from) / (to - from))) hits++;
    }
  }
  return hits / (SUPERSAMPLE * SUPERSAMPLE);
}

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** 192x192: accent-coloured rounded square with a white key in the middle. */
export function renderColorIcon(): RgbaImage {
  const size = COLOR_ICON_SIZE;
  const [r, g, b] = hexToRgb(ACCENT_COLOR);
  const background = roundedSquare(0.18);
  const key = keyShape();
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const bg = coverage(background, size, x, y);
      // Teams recommends keeping the symbol well inside the colour icon, so the key uses the middle ~60%.
      const k = coverage(key, size, x, y, 0.2, 0.8);
      const i = (y * size + x) * 4;
      data[i] = Math.round(r + (255 - r) * k);
      data[i + 1] = Math.round(g + (255 - g) * k);
      data[i + 2] = Math.round(b + (255 - b) * k);
      data[i + 3] = Math.round(255 * bg);
    }
  }
  return { width: size, height: size, data };
}

/** 32x32: the same key in white on a fully transparent background (Teams tints it itself). */
export function renderOutlineIcon(): RgbaImage {
  const size = OUTLINE_ICON_SIZE;
  const key = keyShape();
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      // RGB stays white even where alpha is 0, so scaled-down renderings get no dark fringe.
      data[i] = data[i + 1] = data[i + 2] = 255;
      data[i + 3] = Math.round(255 * coverage(key, size, x, y, 0.02, 0.98));
    }
  }
  return { width: size, height: size, data };
}

export function writeIcons(dir: string): { color: string; outline: string } {
  mkdirSync(dir, { recursive: true });
  const color = path.join(dir, 'color.png');
  const outline = path.join(dir, 'outline.png');
  writeFileSync(color, encodePng(renderColorIcon()));
  writeFileSync(outline, encodePng(renderOutlineIcon()));
  return { color, outline };
}

if (require.main === module) {
  const written = writeIcons(MANIFEST_DIR);
  console.log(`Wrote ${written.color}\nWrote ${written.outline}`);
}
