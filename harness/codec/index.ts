/**
 * The codec layer: payloads, Python `struct`, matchers and byte rendering.
 * Pure code: no I/O, no timers.
 */
export * from './types.js';
export * from './render.js';
export { CodecError } from './errors.js';
export { encodePayload, checkPayload } from './payload.js';
export { parseEscapedBytes } from './byte-escapes.js';
export { parseHex } from './hex-text.js';
export { fillBytes, fillRandom, checkFill, createRandom, MAX_FILL_SIZE, DEFAULT_FILL_PATTERN } from './fill.js';
export { calcSize, pack, unpack, packLayout, unpackLayout } from './struct.js';
export type { StructValue } from './struct.js';
export { parseStructFormat, fieldOffsets, fieldCodes, fixStarLengths } from './struct-format.js';
export type { StructItem, StructLayout } from './struct-format.js';
export { toHalfBits, fromHalfBits } from './half-float.js';
export * from './matchers.js';
export { SafeRegex, RegexBudgetError, REGEX_BUDGET_MS, type RegexHit } from './safe-regex.js';
export { FrameError, DEFAULT_MAX_FRAME_LENGTH } from './framer.js';
export type { Framer, FrameDecoder } from './framer.js';
export { delimiterFramer } from './framer-delimiter.js';
export type { DelimiterFramerOptions } from './framer-delimiter.js';
export { lengthPrefixFramer } from './framer-length.js';
export type { LengthPrefixFramerOptions } from './framer-length.js';
export { fixedSizeFramer } from './framer-fixed.js';
export type { FixedSizeFramerOptions } from './framer-fixed.js';
export { structFields } from './struct-fields.js';
export type { StructField, FieldRef, BytesSpec } from './struct-fields.js';
export { checkStructValues, assertValueChecks } from './struct-checks.js';
export type { ValueCheck, ValueBound, FieldMismatch } from './struct-checks.js';
export { packStructValues } from './struct-send.js';
export type { StructSendValue, StructSendEnv, PackedStruct } from './struct-send.js';
