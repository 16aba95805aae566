/**
 * IEEE 754 half precision (binary16), the `e` code of Python `struct`.
 */

const scratch = new DataView(new ArrayBuffer(8));

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Half-precision bits of `x`, rounded to nearest even as CPython does; undefined
 * when `x` is finite but too large (it would round to infinity). NaN gives 0x7e00
 * (0xfe00 with its sign bit set).
 */
export function toHalfBits(x: number): number | undefined {
  if (Number.isNaN(x)) {
    scratch.setFloat64(0, x);
    return scratch.getUint8(0) & 0x80 ? 0xfe00 : 0x7e00; // CPython keeps the sign of a NaN
  }
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a >= 65520) return undefined;
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal; 1024 becomes the smallest normal
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven(a * 2 ** (10 - e));
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return sign | ((e + 15) << 10) | (m - 1024);
}

/** The number a half-precision bit pattern stands for. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}
