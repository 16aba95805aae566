/**
 * Preloaded into a child `node` (`node --import dist/bench/peak-rss.js bin/sockspec.js …`):
 * at exit, writes the process's peak resident set size in bytes
 * (`process.resourceUsage().maxRSS`, the kernel's own high-water mark) to the file
 * named by SOCKSPEC_PEAK_RSS_FILE, and its CPU split to SOCKSPEC_CPU_FILE: its own
 * user+system time (all its threads), and that of the children it reaped, their reaped
 * descendants included (cutime+cstime of /proc/self/stat, in clock ticks: the run has
 * stopped and reaped its programs by then). Beside them: its own user and system time
 * apart, its minor page faults, and how many processes it started with the time its
 * main thread spent inside those calls (`ChildProcess.prototype.spawn`, under every
 * `child_process` function). libuv forks there, which copies the page tables of the
 * whole harness (and each page the harness writes to afterwards that the fork left
 * shared costs it a fault), then waits until the child has exec'd: wall time of the
 * main thread, which a busy machine stretches. Nothing of the CLI changes but that one
 * call, timed. The processes it started itself that still run at its exit (the watchdog,
 * esbuild's service) are its helpers, not programs under test, and not reaped yet: their
 * CPU time so far is read from their /proc/<pid>/stat and counted on its side.
 */
import { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** The fields of /proc/`pid`/stat after the command name, which may hold spaces and parentheses: state, ppid, … */
function statFields(pid: string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

const rssFile = process.env.SOCKSPEC_PEAK_RSS_FILE;
const cpuFile = process.env.SOCKSPEC_CPU_FILE;
let spawns = 0;
let spawnNs = 0n;
/** Pids of the processes this one started itself. */
const started: number[] = [];
if (cpuFile) {
  // Not a public API, but the one place every child_process function goes through; the probe is for the bench only.
  const proto = ChildProcess.prototype as unknown as { spawn: (this: ChildProcess, options: unknown) => unknown };
  const spawn = proto.spawn;
  proto.spawn = function timedSpawn(this: ChildProcess, options: unknown) {
    const t0 = process.hrtime.bigint();
    try {
      return spawn.call(this, options);
    } finally {
      spawns++;
      spawnNs += process.hrtime.bigint() - t0;
      if (this.pid !== undefined) started.push(this.pid);
    }
  };
}
if (rssFile || cpuFile) {
  process.on('exit', () => {
    try {
      if (rssFile) writeFileSync(rssFile, `${process.resourceUsage().maxRSS * 1024}\n`);
      if (cpuFile) {
        const usage = process.resourceUsage();
        // cutime and cstime are the 14th and 15th fields after the command name.
        const fields = statFields('self');
        // The process that started the programs for the harness (harness/process/spawner.ts) is the harness's work; the run
        // reaped it, so its own time is in cutime + cstime too, with the programs it reaped: counted on the harness's side.
        const helper = (globalThis as Record<symbol, { userUs: number; systemUs: number } | undefined>)[Symbol.for('sockspec.spawner-usage')] ?? { userUs: 0, systemUs: 0 };
        // Those of them still running (not reaped: in no one's cutime): user and system clock ticks so far. The spawner,
        // whose own usage is counted above once it is closed, is left out should it still run.
        let helperUserTicks = 0;
        let helperSystemTicks = 0;
        for (const pid of started) {
          try {
            const f = statFields(String(pid));
            if (Number(f[1]) !== process.pid || readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('spawner')) continue;
            helperUserTicks += Number(f[11]);
            helperSystemTicks += Number(f[12]);
          } catch {
            // gone, and reaped: its time is in cutime with the programs'
          }
        }
        const probe = {
          helperUserTicks,
          helperSystemTicks,
          ownUs: usage.userCPUTime + usage.systemCPUTime + helper.userUs + helper.systemUs,
          userUs: usage.userCPUTime + helper.userUs,
          systemUs: usage.systemCPUTime + helper.systemUs,
          helperUs: helper.userUs + helper.systemUs,
          minorFaults: usage.minorPageFault,
          childTicks: Number(fields[13]) + Number(fields[14]),
          spawns,
          spawnUs: Number(spawnNs / 1000n),
        };
        writeFileSync(cpuFile, `${JSON.stringify(probe)}\n`);
      }
    } catch {
      // the measurement is lost, the run is not
    }
  });
}
