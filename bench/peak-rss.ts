/**
 * Preloaded into a child `node` (`node --import dist/bench/peak-rss.js bin/sockspec.js …`):
 * at exit, writes the process's peak resident set size in bytes
 * (`process.resourceUsage().maxRSS`, the kernel's own high-water mark) to the file
 * named by SOCKSPEC_PEAK_RSS_FILE, and its CPU split to SOCKSPEC_CPU_FILE: its own
 * user+system time (all its threads), and that of the children it reaped, their reaped
 * descendants included (cutime+cstime of /proc/self/stat, in clock ticks: the run has
 * stopped and reaped its programs by then). Nothing of the CLI changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const rssFile = process.env.SOCKSPEC_PEAK_RSS_FILE;
const cpuFile = process.env.SOCKSPEC_CPU_FILE;
if (rssFile || cpuFile) {
  process.on('exit', () => {
    try {
      if (rssFile) writeFileSync(rssFile, `${process.resourceUsage().maxRSS * 1024}\n`);
      if (cpuFile) {
        const own = process.cpuUsage();
        // Fields after the command name, which may hold spaces and parentheses: cutime and cstime are the 14th and 15th.
        const stat = readFileSync('/proc/self/stat', 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        writeFileSync(cpuFile, `${JSON.stringify({ ownUs: own.user + own.system, childTicks: Number(fields[13]) + Number(fields[14]) })}\n`);
      }
    } catch {
      // the measurement is lost, the run is not
    }
  });
}
