/**
 * Preloaded into a child `node` (`node --import dist/bench/peak-rss.js bin/sockspec.js …`):
 * at exit, writes the process's peak resident set size in bytes
 * (`process.resourceUsage().maxRSS`, the kernel's own high-water mark) to the file
 * named by SOCKSPEC_PEAK_RSS_FILE. Nothing of the CLI changes.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.SOCKSPEC_PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, `${process.resourceUsage().maxRSS * 1024}\n`);
    } catch {
      // the measurement is lost, the run is not
    }
  });
}
