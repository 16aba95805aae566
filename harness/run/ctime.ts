/**
 * Reading the C `ctime` local times a program prints (`Mon Aug  6 17:09:17 2012`),
 * in the time zone the program was given.
 */
import { existsSync } from 'node:fs';

const CTIME = /\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})\b/g;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Every C `ctime` local time in `text`, as epoch milliseconds: read as a wall-clock
 * time in `timeZone` (an IANA name, the program's TZ), or in the harness's own time
 * zone when none is given.
 */
export function findCtimes(text: string, timeZone?: string): { text: string; ms: number }[] {
  return [...text.matchAll(CTIME)].map((m) => {
    const fields = [Number(m[7]), MONTHS.indexOf(m[2]!), Number(m[3]!.trim()), Number(m[4]), Number(m[5]), Number(m[6])] as const;
    return { text: m[0], ms: timeZone === undefined ? new Date(...fields).getTime() : zonedMs(fields, timeZone) };
  });
}

/** Epoch milliseconds of a wall-clock time in `timeZone` (the later reading where a clock change makes it ambiguous). */
function zonedMs(f: readonly [number, number, number, number, number, number], timeZone: string): number {
  const asUtc = Date.UTC(...f);
  const first = asUtc - zoneOffsetMs(timeZone, asUtc);
  const second = asUtc - zoneOffsetMs(timeZone, first);
  return second;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`. */
function zoneOffsetMs(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The time zone in `env.TZ` (what the program was given), to read the local time it
 * prints; undefined when TZ is unset or empty: the harness's own, as for the program.
 * Throws (a harness error, not a verdict) for a zone the harness or the machine lacks.
 */
export function programTimeZone(env: Readonly<Record<string, string | undefined>>, zoneinfo = '/usr/share/zoneinfo'): string | undefined {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz === undefined || tz === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`TZ=${tz} is not a time zone the harness can read local times in: give an IANA name such as Asia/Kolkata`);
  }
  // A C library (Python's time, C's ctime) silently falls back to UTC for a zone it cannot find.
  const dir = env.TZDIR ?? zoneinfo;
  if (process.platform === 'linux' && !/^(UTC|GMT|Etc\/UTC)$/.test(tz) && existsSync(dir) && !existsSync(`${dir}/${tz}`)) {
    throw new Error(`TZ=${tz} is not installed on this machine (${dir}/${tz} is missing; install tzdata): a program would print UTC`);
  }
  if (process.platform === 'linux' && !existsSync(dir)) throw new Error(`TZ=${tz} cannot be honoured: ${dir} is missing (install tzdata), so a program would print UTC`);
  return tz;
}

/** `5 s from now`, or for a time zone mistake `19800 s (5 h 30 min) from now`. */
export function offText(seconds: number): string {
  const s = Math.round(seconds);
  if (Math.abs(s) < 3600) return `${s} s from now`;
  const m = Math.round(Math.abs(s) / 60);
  return `${s} s (${s < 0 ? '-' : ''}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}) from now`;
}
