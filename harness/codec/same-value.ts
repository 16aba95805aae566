/**
 * Deep equality for decoded values, the same in every runtime: numbers by
 * `Object.is` (NaN equals NaN, 0 and -0 differ), bigint, strings, booleans, byte
 * and other typed arrays, arrays, Maps, Sets, Dates and plain objects by their keys
 * (an object literal equals the same keys with a null prototype).
 */

/** An object literal, or one made with a null prototype (as fast-check's records are). */
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** Whether `a` and `b` hold the same value, deeply (plain objects alike whatever their prototype, null or Object's). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) && !(isPlain(a) && isPlain(b))) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    return x.length === y.length && Array.prototype.every.call(x, (v, i) => Object.is(v, y[i]));
  }
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    return a.size === m.size && [...a].every(([k, v]) => m.has(k) && sameValue(v, m.get(k)));
  }
  if (a instanceof Set) return a.size === (b as Set<unknown>).size && [...a].every((v) => (b as Set<unknown>).has(v));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
