/**
 * `sockspec/codec`: the codec layer for users' own protocols — Python `struct`,
 * framers, value checks — with fast-check arbitraries and `assertCodec` for fuzzing
 * a codec. Kept apart from `index.ts` so that the harness loads fast-check only
 * when it runs a property.
 */
export * from './index.js';
export { structArbitrary, framedStreamArbitrary, cutBytes } from './struct-arbitrary.js';
export type { StructArbitraryOptions, FramedStreamOptions, FramedStream } from './struct-arbitrary.js';
export { assertCodec, CodecPropertyFailure } from './assert-codec.js';
export type { CodecCheck, CodecProperty } from './assert-codec.js';
export { sameValue } from './same-value.js';
