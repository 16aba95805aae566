import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../run/result.js';
import { requirementMatrix } from './matrix.js';

function scenario(id: string, target: string, requirements: ScenarioResult['requirements']): ScenarioResult {
  return { id, file: id, name: id, target, covers: Object.keys(requirements), outcome: 'pass', requirements, durationMs: 1, notes: [], transcript: [] };
}

describe('requirementMatrix', () => {
  it('gives each requirement the worst outcome per target, the scenarios behind it, and uncovered cells', () => {
    const m = requirementMatrix({
      scenarios: [scenario('a', 'py', { R1: 'pass', R2: 'pass' }), scenario('b', 'py', { R1: 'fail' }), scenario('a', 'ts', { R1: 'pass' })],
      requirements: [
        { id: 'R1', level: 'MUST', text: 'one', outcome: 'fail', scenarios: ['a', 'b', 'a'] },
        { id: 'R2', level: 'SHOULD', text: 'two', outcome: 'pass', scenarios: ['a'] },
        { id: 'R3', level: 'MUST', text: 'three', outcome: 'uncovered', scenarios: [] },
      ],
    });
    expect(m.targets).toEqual(['py', 'ts']);
    expect(m.rows.map((r) => r.id)).toEqual(['R1', 'R2', 'R3']);
    expect(m.rows[0]!.cells).toEqual({ py: { outcome: 'fail', scenarios: ['a', 'b'] }, ts: { outcome: 'pass', scenarios: ['a'] } });
    expect(m.rows[1]!.cells.ts).toEqual({ outcome: 'uncovered', scenarios: [] });
    expect(m.rows[2]!.cells.py!.outcome).toBe('uncovered');
  });
});
