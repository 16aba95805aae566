/**
 * Small byte-array utilities shared by payloads and matchers.
 */
import { escapeBytes, hexBytes } from './render.js';

const encoder = new TextEncoder();

/** UTF-8 of `text` (lone surrogates become U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** One array holding `parts` one after another. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Bytes quoted as escaped text, cut with `…` after `max` bytes: `"\nI get it!…"`. */
export function quoteBytes(bytes: Uint8Array, max = 24): string {
  const cut = bytes.length > max;
  return `"${escapeBytes(cut ? bytes.subarray(0, max) : bytes)}${cut ? '…' : ''}"`;
}

/** Bytes quoted as text with their hex when short: `"l" (6c)`. */
export function showBytes(bytes: Uint8Array, max = 24): string {
  return bytes.length > 0 && bytes.length <= 4 ? `${quoteBytes(bytes, max)} (${hexBytes(bytes)})` : quoteBytes(bytes, max);
}
