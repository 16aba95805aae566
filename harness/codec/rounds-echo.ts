/**
 * One step of the echo states of a rounds parse: the parses inside an echo, or
 * at the start of a round, that the next byte continues.
 */

/**
 * Write into `into` (large enough for both inputs) i+1 for every i of
 * `echo[0..echoLen)` ∪ `start` (both sorted, merged without duplicates) with
 * `data[i] === b`; returns how many were written, sorted.
 */
export function stepEchoStates(data: Uint8Array, echo: Int32Array, echoLen: number, start: Int32Array, b: number, into: Int32Array): number {
  const n = data.length;
  let len = 0;
  if (start.length === 0) {
    for (let x = 0; x < echoLen; x++) {
      const i = echo[x]!;
      if (data[i] === b) into[len++] = i + 1; // data[n] is undefined
    }
    return len;
  }
  let x = 0;
  let y = 0;
  while (x < echoLen || y < start.length) {
    const ex = x < echoLen ? echo[x]! : 0x7fffffff;
    const sy = y < start.length ? start[y]! : 0x7fffffff;
    const i = ex <= sy ? ex : sy;
    if (ex === i) x++;
    if (sy === i) y++;
    if (i < n && data[i] === b) into[len++] = i + 1;
  }
  return len;
}
