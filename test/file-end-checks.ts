/**
 * Run before every test file (vitest `setupFiles`): once the file's tests are done, no
 * process group the harness started in this worker may still be registered. Most files
 * share their worker with the files run before them (`isolate: false`), so a group left
 * behind would otherwise be noticed by a later file, or, in a worker of its own, never.
 */
import { afterAll, expect } from 'vitest';
import { listGroups } from '../harness/process/process-groups.js';

afterAll(() => {
  expect(listGroups(), 'process groups started by this file and never stopped').toEqual([]);
});
