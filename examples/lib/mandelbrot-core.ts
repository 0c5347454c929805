/**
 * The Mandelbrot computation shared by examples/mandelbrot.ts and its worker_threads twin: the
 * picture's parameters and how one row of it is rendered.
 */

/** What to render: a `width x height` view of [-2, 1] x [-1.5, 1.5], `maxIterations` deep. */
export interface MandelbrotParams {
  width: number;
  height: number;
  maxIterations: number;
}

/** Throws a RangeError unless every parameter is a positive integer. */
export function checkParams({ width, height, maxIterations }: MandelbrotParams): void {
  for (const [name, v] of Object.entries({ width, height, maxIterations })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
}

/**
 * Row `y` of the picture as gray levels: black inside the set; outside, a point that escapes after
 * `n` iterations gets `255 * sqrt(n / maxIterations)`, so the set's edge glows.
 */
export function renderRow(y: number, { width, height, maxIterations }: MandelbrotParams): Uint8Array {
  const row = new Uint8Array(width);
  const ci = -1.5 + (3 * (y + 0.5)) / height;
  for (let x = 0; x < width; x++) {
    const cr = -2 + (3 * (x + 0.5)) / width;
    let zr = 0;
    let zi = 0;
    let n = 0;
    while (n < maxIterations && zr * zr + zi * zi <= 4) {
      const t = zr * zr - zi * zi + cr;
      zi = 2 * zr * zi + ci;
      zr = t;
      n++;
    }
    row[x] = n === maxIterations ? 0 : Math.floor(255 * Math.sqrt(n / maxIterations));
  }
  return row;
}
