/**
 * The matchers an expectation can use, one module each.
 */
export { matchBytes } from './bytes-matcher.js';
export { matchRegex, DEFAULT_REGEX_MAX_BYTES } from './regex-matcher.js';
export type { RegexOptions } from './regex-matcher.js';
export { matchRounds } from './rounds-matcher.js';
export { matchSize } from './size-matcher.js';
export { matchStruct, matchStructChecks } from './struct-matcher.js';
