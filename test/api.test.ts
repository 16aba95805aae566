import { describe, expect, it } from 'vitest';
import { assertSuite, checkSuite, SuiteFailure } from '../harness/api.js';
import { ROOT } from './helpers.js';

describe('the library API', () => {
  it('checkSuite returns the results, failures included; assertSuite throws them as the report shows them', async () => {
    const options = { server: 'python3 fixtures/udp-time/server/little-endian.py {port}', cwd: ROOT };
    const run = await checkSuite('scenarios/udp-time/server/empty-datagram.yaml', options);
    expect(run.exitCode).toBe(1);
    expect(run.scenarios[0]!.requirements).toMatchObject({ 'TIME-2': 'fail' });
    const thrown = await assertSuite('scenarios/udp-time/server/empty-datagram.yaml', options).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(SuiteFailure);
    expect((thrown as Error).message).toMatch(/✗ fail scenarios\/udp-time\/server\/empty-datagram\.yaml\n {2}mismatch: .*\n(.*\n)* {2}requirements: TIME-2/);
  });

  it('refuses to run without a program, and names invalid scenarios with their place', async () => {
    await expect(checkSuite('scenarios/udp-time/server', { cwd: ROOT })).rejects.toThrow('give `server` or `client`');
    await expect(checkSuite('no/such/folder', { cwd: ROOT, server: 'true' })).rejects.toThrow('no/such/folder: not-found');
  });
});
