import { describe, expect, it } from 'vitest';
import { assertSuite, checkSuite, SuiteFailure } from '../harness/api.js';
import { ROOT } from './helpers.js';

describe('the library API', () => {
  it('checkSuite returns the results, failures included; assertSuite throws them as the report shows them', async () => {
    const options = { server: 'python3 fixtures/udp-time/server/little-endian.py {port}', cwd: ROOT };
    const run = await checkSuite('scenarios/udp-time/server/empty-datagram.yaml', options);
    expect(run.exitCode).toBe(1);
    // Read little-endian, the time is far off (TIME-3) and, but for about 3 seconds in 65,536, more than a day off (TIME-2).
    // TIME-2 failing ends the scenario before TIME-3 is checked.
    const reqs = run.scenarios[0]!.requirements;
    expect([
      ['pass', 'fail'],
      ['fail', 'not-run'],
    ]).toContainEqual([reqs['TIME-2'], reqs['TIME-3']]);
    const thrown = await assertSuite('scenarios/udp-time/server/empty-datagram.yaml', options).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(SuiteFailure);
    expect((thrown as Error).message).toMatch(/✗ fail scenarios\/udp-time\/server\/empty-datagram\.yaml\n {2}mismatch: .*\n(.*\n)* {2}requirements: TIME-[23]\n/);
  });

  it('refuses to run without a program, and names invalid scenarios with their place', async () => {
    await expect(checkSuite('scenarios/udp-time/server', { cwd: ROOT })).rejects.toThrow('give `server` or `client`');
    await expect(checkSuite('no/such/folder', { cwd: ROOT, server: 'true' })).rejects.toThrow('no/such/folder: not-found');
  });
});
