/**
 * The leak check the process tests share: after each test, every program the test
 * launched is stopped, no process group is left, and no handle is left open.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { listGroups, type Launched } from '../harness/process/launch.js';
import { countHandles, handlesAddedSince } from '../harness/process/test-probes.js';

/** Register the check for this file; tests push what they launch onto `started`. */
export function expectNoLeaks(started: Launched[]): void {
  let before: Record<string, number> = {};
  beforeEach(async () => {
    before = await countHandles();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop(500)));
    expect(listGroups()).toEqual([]);
    expect(await handlesAddedSince(before)).toEqual({});
  });
}
