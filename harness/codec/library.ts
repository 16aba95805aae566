/**
 * `sockspec/codec`: the codec layer for users' own protocols — Python `struct`,
 * framers, value checks — with fast-check arbitraries and `assertCodec` for fuzzing
 * a codec. Kept apart from `index.ts` so that the harness loads fast-check only
 * when it runs a property.
 */
export * from './index.js';
/** The fast-check these arbitraries are made with, for building your own. */
export { default as fc } from 'fast-check';
export { structArbitrary, framedStreamArbitrary, cutBytes } from './struct-arbitrary.js';
export type { StructArbitraryOptions, FramedStreamOptions, FramedStream } from './struct-arbitrary.js';
export { assertCodec, CodecPropertyFailure } from './assert-codec.js';
export type { CodecCheck, CodecProperty } from './assert-codec.js';
export { sameValue } from './same-value.js';
