/**
 * The RFC service suites against xinetd's built-in services: an implementation
 * nobody on this project wrote. xinetd serves one service on TCP and UDP of one
 * fixed high port (fixtures/xinetd/run-xinetd.sh writes its configuration,
 * fixtures/xinetd/sockspec.config.yaml gives each suite its service and port), so
 * the scenarios on one port run one at a time, the five ports side by side. What
 * xinetd does that the suites do not allow is fixtures/xinetd/expectations.yaml, an
 * entry per requirement with its reason (the evidence is in fixtures/xinetd/README.md):
 * the run must give exactly those outcomes, and pass everything else.
 *
 * Skipped, with a warning, when xinetd is not on the PATH.
 */
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Program } from '../harness/run/program.js';
import type { RunResult } from '../harness/run/result.js';
import { sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';

const INSTALL = 'apt-get install --no-install-recommends xinetd';

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const HAVE_XINETD = onPath('xinetd');
if (!HAVE_XINETD) console.warn(`test/xinetd.test.ts: xinetd is not on the PATH, so the RFC suites are not checked against it (install it: ${INSTALL})`);

const command = (service: string) => `sh fixtures/xinetd/run-xinetd.sh ${service} {port}`;

/** The pids of the xinetd processes (main and forked children) started with PORT=`port` in their environment. */
function xinetdProcesses(port: number): number[] {
  const mark = Buffer.from(`PORT=${port}\0`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'xinetd') continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/environ`).includes(mark)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

const CONFIG = 'fixtures/xinetd/sockspec.config.yaml';
const EXPECTATIONS = 'fixtures/xinetd/expectations.yaml';
/** The fixed port of each service, as the config gives them. */
const PORTS = [7007, 7009, 7019, 7013, 7037];
/** Scenarios whose deviation the file lists: the two port-taken ones of each of the five suites, and seven more. */
const MET = 17;

if (!HAVE_XINETD) {
  describe('xinetd', () => {
    it.skip(`xinetd is not on the PATH: install it (${INSTALL}) to check the RFC suites against it`, () => {});
  });
}

describe.skipIf(!HAVE_XINETD)('the RFC service suites against xinetd', () => {
  it(`every suite on its port: what does not pass is exactly what ${EXPECTATIONS} lists`, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sockspec-xinetd-test-'));
    try {
      const json = join(tmp, 'results.json');
      const r = await sockspec(['run', '--config', CONFIG, '--expectations', EXPECTATIONS, '--reporter', 'console', '--reporter', `json=${json}`], ROOT, { limitMs: 280_000 });
      const account = r.stdout + r.stderr;
      expect(existsSync(json), account).toBe(true);
      const report = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
      expect(report.expectations?.unexpected, account).toEqual([]);
      expect(report.expectations?.unused, account).toEqual([]);
      expect(report.expectations?.met, account).toBe(MET);
      expect(r.code, account).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    // every forked child went with the process group (a killed one may take a moment to go)
    const left = () => PORTS.flatMap(xinetdProcesses);
    for (let i = 0; i < 40 && left().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(left()).toEqual([]);
  }, 300_000);

  it('the process-group stop ends xinetd and its forked TCP children, which a SIGTERM to xinetd alone leaves running', async () => {
    const port = 7219;
    const target = { name: 'xinetd', command: command('chargen'), cwd: ROOT, readyTimeoutMs: 10_000 };
    const waitFor = async (what: string, test: () => boolean) => {
      for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(test(), what).toBe(true);
    };
    // A client that does not read: its chargen child stays blocked on a write until killed.
    const client = async () => {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.pause();
      socket.on('error', () => {});
      return socket;
    };

    const alone = new Program(target, port, 'tcp');
    expect((await alone.start()).ok).toBe(true);
    const first = await client();
    await waitFor('a forked chargen child runs beside xinetd', () => xinetdProcesses(port).length === 2);
    const main = alone.launched!.pid;
    process.kill(main, 'SIGTERM');
    await waitFor('xinetd itself exits on SIGTERM', () => !xinetdProcesses(port).includes(main));
    const orphans = xinetdProcesses(port);
    expect(orphans.length, 'its child outlives it').toBe(1);
    await alone.stop(); // the harness's stop: the rest of the group
    await waitFor('the process-group stop ends the child', () => xinetdProcesses(port).length === 0);
    first.destroy();

    const grouped = new Program(target, port, 'tcp');
    expect((await grouped.start()).ok).toBe(true);
    const second = await client();
    await waitFor('a forked chargen child runs beside xinetd', () => xinetdProcesses(port).length === 2);
    await grouped.stop();
    await waitFor('the process-group stop ends xinetd and its child', () => xinetdProcesses(port).length === 0);
    second.destroy();
  }, 60_000);
});
