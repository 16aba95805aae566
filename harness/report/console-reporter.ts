/**
 * The console reporter: progress while the run goes (one line rewritten with `\r` on
 * a terminal, a line per finished scenario otherwise), then the run's summary from
 * `console-text.ts`, ending with the counts line.
 */
import { createStyle } from './ansi-style.js';
import { formatRunSummary, formatScenarioLine } from './console-text.js';
import { makePrintableLine } from './printable-text.js';
import type { ReportOutput } from './report-output.js';
import type { Reporter } from './reporter.js';

// Blanked with spaces rather than escape sequences; kept narrower than the terminal so it cannot wrap.
/** The single progress line of a terminal, `[12/40] id`, redrawn in place with `\r`. */
export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #columns: number;
  readonly #running: string[] = [];
  #total = 0;
  #done = 0;
  #shown = 0;

  constructor(write: (text: string) => void, columns: number) {
    this.#write = write;
    this.#columns = Math.max(20, columns);
  }

  /** Start counting a run of `total` scenarios. */
  begin(total: number): void {
    this.#total = total;
    this.#done = 0;
  }

  /** Show `id` as the scenario in progress. */
  start(id: string): void {
    this.#running.push(id);
    this.#draw();
  }

  /** Count `id` as finished; show another that is still running, if any. */
  end(id: string): void {
    const i = this.#running.indexOf(id);
    if (i >= 0) this.#running.splice(i, 1);
    this.#done++;
    this.#draw(id);
  }

  /** Blank the line and return the cursor to its start. */
  clear(): void {
    if (this.#shown > 0) this.#write(`\r${' '.repeat(this.#shown)}\r`);
    this.#shown = 0;
  }

  #draw(finished?: string): void {
    const id = makePrintableLine(this.#running.at(-1) ?? finished ?? '');
    let line = `[${this.#done}/${this.#total}] ${id}`;
    const room = this.#columns - 1;
    if (line.length > room) line = `${line.slice(0, room - 1)}…`;
    this.#write(`\r${line.padEnd(this.#shown)}`);
    this.#shown = line.length;
  }
}

/** A console reporter writing to `output`, coloured when `color` is true. */
export function createConsoleReporter(output: ReportOutput, color: boolean): Reporter {
  const style = createStyle(color);
  const progress = output.tty ? new ProgressLine((t) => output.write(t), output.columns) : undefined;
  return {
    async onRunStart(info) {
      progress?.begin(info.scenarios);
    },
    async onScenarioStart(id) {
      progress?.start(id);
    },
    async onScenarioEnd(result) {
      if (progress) progress.end(result.id);
      else output.write(`${formatScenarioLine(result, style)}\n`);
    },
    async onRunEnd(run) {
      progress?.clear();
      output.write(`${formatRunSummary(run, style).join('\n')}\n`);
      await output.finish();
    },
  };
}
