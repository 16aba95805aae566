/**
 * `capture:` of `send` and `expect`: which names a step defines and where each
 * takes its value from, checked against what the step matches or sends.
 */
import { CodecError } from '../codec/errors.js';
import { findField, structFields } from '../codec/struct-fields.js';
import { parseStructFormat } from '../codec/struct-format.js';
import type { Capture } from '../run/values.js';
import type { Expectation } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import { namedGroups } from './struct-payload.js';
import type { Scope, ValidateCtx } from './types.js';

/** `capture:` as written: a name for the whole message, or names and their sources. */
export type CaptureBody = string | Record<string, string | number> | undefined;

/** Sources every capture may name. */
const ANY_SOURCE = ['message', 'sender.port', 'sender.address'];

/** Why `source` names nothing in what `e` matches (undefined when it does, or when only the run can tell). */
function expectSourceProblem(e: Expectation, source: string | number): string | undefined {
  if (e.kind === 'one-of') return undefined;
  if (e.kind === 'regex') {
    if (typeof source === 'number') return undefined;
    return namedGroups(e.source).includes(source) ? undefined : `the regex has no group named \`${source}\``;
  }
  if (e.kind === 'struct') return fieldProblem(e.format, e.names, source);
  return `\`${e.kind}\` has no groups or fields: capture \`message\`, \`sender.port\` or \`sender.address\``;
}

function fieldProblem(format: string, names: string[] | undefined, source: string | number): string | undefined {
  try {
    findField(structFields(parseStructFormat(format), names), source);
    return undefined;
  } catch (e) {
    if (e instanceof CodecError) return e.message;
    throw e;
  }
}

/**
 * The captures of a step, checked: for an `expect`, against its expectation; for a
 * `send`, against its struct (if any). Their names are defined from here on in `scope`.
 */
export function capturesOf(v: ValidateCtx, body: CaptureBody, path: DataPath, scope: Scope, of: { expectation: Expectation } | { struct?: { format: string; names?: string[] } }): Capture[] {
  if (body === undefined) return [];
  const list: Capture[] = typeof body === 'string' ? [{ name: body, source: 'message' }] : Object.entries(body).map(([name, source]) => ({ name, source }));
  for (const c of list) {
    if ('expectation' in of ? ANY_SOURCE.includes(String(c.source)) : c.source === 'message') continue;
    const problem =
      'expectation' in of
        ? expectSourceProblem(of.expectation, c.source)
        : of.struct
          ? fieldProblem(of.struct.format, of.struct.names, c.source)
          : 'a `send` captures `message` or, for a `struct`, one of its fields';
    if (problem) v.error([...path, 'capture', ...(typeof body === 'string' ? [] : [c.name])], 'bad-capture', `cannot capture \`${c.name}\` from \`${c.source}\`: ${problem}`);
  }
  list.forEach((c) => scope.values.add(c.name));
  return list;
}

/** The named groups an expectation captures by themselves (of every regex alternative). */
export function autoCaptured(e: Expectation): string[] {
  if (e.kind === 'regex') return namedGroups(e.source);
  return e.kind === 'one-of' ? e.alternatives.flatMap(autoCaptured) : [];
}
