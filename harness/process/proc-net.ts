/**
 * Who is bound to a port, read from the kernel's socket tables in /proc/net —
 * without connecting, so a one-client-at-a-time server keeps its one client.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import { ProcessError } from './errors.js';
import { decodeIpv4, decodeIpv6 } from './proc-address.js';
import { readProcText } from './proc-read.js';

export interface BoundSocket {
  address: string;
  family: 4 | 6;
  /** The socket's inode, by which /proc/<pid>/fd tells who holds it. */
  inodes: string[];
}

/** The state column of a TCP socket in LISTEN. */
const TCP_LISTEN = '0A';

/** Default location of the socket tables; tests and containers may point elsewhere. */
export const PROC_NET = '/proc/net';

/** Sockets on local `port`: TCP ones in LISTEN, or UDP ones not connected to a peer; rejects `unsupported-platform` without /proc/net. */
export async function listeningSockets(port: number, transport: 'tcp' | 'udp', procNet = PROC_NET): Promise<BoundSocket[]> {
  // TCP: only the listening sockets, which the kernel lists first; UDP: the whole table, which has no row for a closed socket.
  // Small reads, made at once on this thread: a readiness wait makes them every few milliseconds while a program starts,
  // and each trip through the thread pool (open, stat, reads, close) cost several times the read.
  const read = transport === 'tcp' ? readListening : (path: string) => readTableAtOnce(path);
  const tables = [read(`${procNet}/${transport}`), readIfInUse(procNet, transport, read)];
  if (tables[0] === undefined && tables[1] === undefined) {
    throw new ProcessError('unsupported-platform', `cannot see which sockets are bound: ${procNet}/${transport} is not readable (not Linux?)`);
  }
  const found: BoundSocket[] = [];
  const seen = new Set<string>();
  tables.forEach((table, i) => {
    const family = i === 0 ? 4 : 6;
    for (const row of parseTable(table ?? '', port)) {
      if (row.port !== port) continue;
      const bound = transport === 'tcp' ? row.state === TCP_LISTEN : /^0+:0+$/.test(row.remote);
      if (!bound) continue;
      const address = family === 4 ? decodeIpv4(row.addressHex) : decodeIpv6(row.addressHex);
      const key = `${family}/${address}`;
      const same = found.find((f) => `${f.family}/${f.address}` === key);
      if (same) {
        same.inodes.push(row.inode); // SO_REUSEPORT groups show one row per socket
        continue;
      }
      seen.add(key);
      found.push({ address, family, inodes: [row.inode] });
    }
  });
  return found;
}

/**
 * How many reads of a socket table a verdict rests on. The kernel hands out a table a
 * page per read() and finds where the next page starts by counting rows from the top
 * again, so a socket closed meanwhile above that point makes the next page skip a row
 * (one opened there repeats a row): on a machine where sockets come and go, one read can
 * miss a socket that was there all along. Reads never show a socket that was not there,
 * so what several reads found together misses one only if each of them did.
 */
export const VERDICT_READS = 3;

/** The sockets `VERDICT_READS` reads of `listeningSockets` found between them. */
export async function listeningSocketsSeen(port: number, transport: 'tcp' | 'udp', procNet = PROC_NET, reads = VERDICT_READS): Promise<BoundSocket[]> {
  const each: BoundSocket[][] = [];
  for (let i = 0; i < reads; i++) each.push(await listeningSockets(port, transport, procNet));
  return socketsOfAll(each);
}

/** What several reads found between them: one entry per family and address, with every inode any read showed there. */
export function socketsOfAll(reads: readonly (readonly BoundSocket[])[]): BoundSocket[] {
  const found: BoundSocket[] = [];
  for (const read of reads) {
    for (const s of read) {
      const same = found.find((f) => f.family === s.family && f.address === s.address);
      if (!same) found.push({ ...s, inodes: [...s.inodes] });
      else for (const inode of s.inodes) if (!same.inodes.includes(inode)) same.inodes.push(inode);
    }
  }
  return found;
}

/** TCP states of a connection the local side has not closed yet: SYN_RECV, ESTABLISHED, CLOSE_WAIT. */
const OPEN_STATES = new Set(['03', '01', '08']);

/**
 * The TCP connections to local `port` still open on that side (accepted or waiting in
 * the backlog, not yet closed by whoever holds `port`), as `reads` reads of the tables
 * found them between them (see VERDICT_READS), each given by its socket's inode: by
 * which /proc/<pid>/fd tells whether a process still holds it ('0' for one no process
 * holds yet, in the backlog); undefined where the tables cannot be read. A connection
 * the holder closed (FIN_WAIT, TIME_WAIT) is not counted. With `untilFound`, the reads
 * stop at the first that shows one: a read never shows a connection that was not there,
 * so what it found is open, though another may be missing from it.
 */
export async function openConnectionInodes(port: number, procNet = PROC_NET, reads = VERDICT_READS, untilFound = false): Promise<string[] | undefined> {
  // An open socket is in use: the IPv6 table is read only while sockstat6 counts one.
  const seen = await connectionsSeen(port, procNet, reads, (state) => OPEN_STATES.has(state), (procNet) => readIfInUse(procNet, 'tcp', readTable), untilFound);
  return seen && [...seen.values()];
}

/**
 * How many TCP sockets on local `port` are not listening (TIME_WAIT and the other states
 * of a connection, an earlier program's among them), as `reads` reads of the tables found
 * them between them; undefined where the tables cannot be read. While one is there, a
 * program that does not set SO_REUSEADDR cannot bind the port, though a probe that does
 * (as Node's listeners all do) can.
 */
export async function connectionsOn(port: number, procNet = PROC_NET, reads = VERDICT_READS): Promise<number | undefined> {
  // A TIME_WAIT socket is not one sockstat6 counts as in use: the IPv6 table is always read.
  return (await connectionsSeen(port, procNet, reads, (state) => state !== TCP_LISTEN, (procNet) => readTable(`${procNet}/tcp6`)))?.size;
}

/** The TCP connections on local `port` in a state `keep` takes, that any of `reads` reads of both tables showed, with their inodes (the last read's). */
async function connectionsSeen(port: number, procNet: string, reads: number, keep: (state: string) => boolean, readV6: (procNet: string) => Promise<string | undefined> | string, untilFound = false): Promise<Map<string, string> | undefined> {
  const seen = new Map<string, string>();
  for (let i = 0; i < reads && !(untilFound && seen.size > 0); i++) {
    const tables = await Promise.all([readTable(`${procNet}/tcp`), readV6(procNet)]);
    if (tables[0] === undefined && tables[1] === undefined) return undefined;
    tables.forEach((table, family) => {
      for (const row of parseTable(table ?? '', port)) if (row.port === port && keep(row.state)) seen.set(`${family}/${row.addressHex}>${row.remote}`, row.inode || '0');
    });
  }
  return seen;
}

/** Whether the socket tables can be read here. */
export async function canReadSocketTables(procNet = PROC_NET): Promise<boolean> {
  // Asked before every readiness wait: a permission check, not a read of a table that may be large.
  const readable = (path: string) => access(path, constants.R_OK).then(() => true, () => false);
  return (await readable(`${procNet}/tcp`)) || (await readable(`${procNet}/tcp6`));
}

interface Row {
  addressHex: string;
  port: number;
  remote: string;
  state: string;
  inode: string;
}

/** Rows of a /proc/net/{tcp,udp}[6] table: `sl local_address rem_address st …`; only those mentioning `port` when given. */
export function parseTable(text: string, port?: number): Row[] {
  const rows: Row[] = [];
  // Tables hold a row per TIME_WAIT socket too (thousands after a busy run): only the rows holding the port are
  // cut out of the text, found by searching it whole, rather than a string made of every line.
  const needle = port === undefined ? undefined : `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  let lines: string[] = [];
  if (needle === undefined) lines = text.split('\n').slice(1);
  else {
    const header = text.indexOf('\n');
    for (let at = text.indexOf(needle, header); header >= 0 && at >= 0; ) {
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      lines.push(text.slice(start, end < 0 ? text.length : end));
      if (end < 0) break;
      at = text.indexOf(needle, end);
    }
  }
  for (const line of lines) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const remote = cols[2];
    const state = cols[3];
    if (local === undefined || remote === undefined || state === undefined) continue;
    const [addressHex, portHex] = local.split(':');
    if (addressHex === undefined || portHex === undefined) continue;
    rows.push({ addressHex, port: parseInt(portHex, 16), remote, state: state.toUpperCase(), inode: cols[9] ?? '' });
  }
  return rows;
}

/*
 * Reading a TCP table costs the kernel a walk of its whole hash of connections, a few
 * milliseconds on a machine with much memory however few sockets there are (the hash is
 * sized by memory: 2 ms for each walk of an empty one here), and a run reads the tables
 * at every program's start. Three ways round it:
 */

/**
 * The most a read of a table can have given when it stopped for want of room: the kernel
 * hands out a table a page (4 KiB at least) per read() at most, never cutting a row, and
 * a row is a few hundred bytes at most.
 */
const FULL_READ = 4096 - 512;

/**
 * Whether a read of a table that gave `got` of the `asked` bytes reached its end, so that
 * it is not read again. A read stops where the table ends, where it has what was asked,
 * or where the next row no longer fits the page: one shorter than asked that still had
 * room for a row stopped at the end. Asked again, the kernel would walk its hash of
 * connections once more, from where the last row was to the end, only to say so.
 */
export function tableEnded(got: number, asked: number): boolean {
  return got === 0 || (got < asked && got <= FULL_READ);
}

/** Bytes asked for per read of a table. */
const TABLE_CHUNK = 64 * 1024;

/** A whole table, read through the thread pool (a large one costs the kernel milliseconds); undefined where it cannot be read. */
async function readTable(path: string): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined; // absent (no IPv6, not Linux) or unreadable
  }
  try {
    // A buffer per read of a table: several are read at once.
    const chunk = Buffer.allocUnsafe(TABLE_CHUNK);
    let text = '';
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, TABLE_CHUNK, null);
      text += chunk.toString('latin1', 0, bytesRead);
      if (tableEnded(bytesRead, TABLE_CHUNK)) return text;
    }
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * Whether the namespace has an IPv6 socket of `transport` in use (`/proc/net/sockstat6`;
 * most programs bind IPv4 only): when not, its IPv6 table is not read. Undefined where
 * the count cannot be read.
 */
const IN_USE = { tcp: /^TCP6: inuse (\d+)/m, udp: /^UDP6: inuse (\d+)/m };

function ipv6InUse(procNet: string, transport: 'tcp' | 'udp'): boolean | undefined {
  let stat: string;
  try {
    stat = readProcText(`${procNet}/sockstat6`);
  } catch {
    return undefined;
  }
  const inUse = IN_USE[transport].exec(stat)?.[1];
  // A namespace that counts IPv6 sockets has the IPv6 tables.
  return inUse === undefined ? undefined : inUse !== '0';
}

/** The IPv6 table of `transport` as `read` reads it, or '' without reading it when no IPv6 socket of it is in use (see ipv6InUse). */
function readIfInUse<T>(procNet: string, transport: 'tcp' | 'udp', read: (path: string) => T): T | '' {
  return ipv6InUse(procNet, transport) === false ? '' : read(`${procNet}/${transport}6`);
}

/** Bytes asked for per read of a table read at once. */
const AT_ONCE_CHUNK = 16 * 1024;
const atOnceChunk = Buffer.allocUnsafe(AT_ONCE_CHUNK);

/**
 * A table read at once, on this thread, to its end (tableEnded) or to where `cut` says
 * the rows wanted end (an offset into the text read so far); undefined where it cannot
 * be read.
 */
function readTableAtOnce(path: string, cut?: (text: string) => number | undefined): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // absent (no IPv6, not Linux) or unreadable
  }
  try {
    let text = '';
    for (;;) {
      const bytesRead = readSync(fd, atOnceChunk, 0, AT_ONCE_CHUNK, null);
      text += atOnceChunk.toString('latin1', 0, bytesRead);
      const at = cut?.(text);
      if (at !== undefined) return text.slice(0, at);
      if (tableEnded(bytesRead, AT_ONCE_CHUNK)) return text;
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The rows of a TCP table up to the end of its listening sockets (the kernel lists the
 * listening hash first, then the connections): the read stops there, sparing the walk
 * of the connections' hash wherever a connection comes early in it; or at the end of the
 * table (tableEnded), when no connection comes.
 */
function readListening(path: string): string | undefined {
  // Where the rows looked at so far end: the header first; then each complete row's 4th column, its state.
  let scanned = -1;
  return readTableAtOnce(path, (text) => {
    if (scanned < 0) scanned = text.indexOf('\n');
    for (let end = scanned < 0 ? -1 : text.indexOf('\n', scanned + 1); end >= 0; end = text.indexOf('\n', scanned + 1)) {
      const state = text.slice(scanned + 1, end).trim().split(/\s+/)[3];
      if (state !== undefined && state.toUpperCase() !== TCP_LISTEN) return end + 1;
      scanned = end;
    }
    return undefined;
  });
}
