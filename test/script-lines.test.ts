/**
 * A TS scenario's script names its own lines: a failing step run by `api.step()`, an
 * invalid step and an error the script throws are each reported at `file:line` of the
 * script (its .ts line), through the built CLI as a user runs it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-script-lines-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('reports each script failure at the line of the script', async () => {
  const report = join(tmp, 'report.json');
  const server = `python3 ${join(ROOT, 'fixtures/echo-ack/server/reference.py')} {port}`;
  const r = await sockspec(['run', '.', '--server', server, '--reporter', `json=${report}`], join(ROOT, 'test/script-lines'));
  expect(r.code, r.stderr).toBe(1);
  const run = JSON.parse(readFileSync(report, 'utf8')) as { scenarios: { file: string; failure?: { code: string; message: string; stepLabel?: string; line?: number } }[] };
  const failure = (name: string) => run.scenarios.find((s) => s.file.endsWith(name))!.failure!;
  expect(failure('step-fails.ts')).toMatchObject({ code: 'mismatch', stepLabel: 'script expect at step-fails.ts:11', line: 11 });
  expect(failure('invalid-step.ts')).toMatchObject({ code: 'script-failed', stepLabel: 'script at invalid-step.ts:9', line: 9 });
  expect(failure('throws.ts')).toMatchObject({ code: 'harness-error', stepLabel: 'script at throws.ts:10', line: 10, message: 'the script threw Error: the script gave up at throws.ts:10' });
});
