import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countHandles, handlesAddedSince } from '../process/test-probes.js';
import { MAX_QUEUED_BYTES, UdpPeer, type UdpAddress } from './udp-peer.js';
import type { Recorder } from './waiter.js';

/** A loopback UDP socket of the test's own, bound to a free port. */
async function socketOn(): Promise<Socket & { port: number }> {
  const s = createSocket('udp4');
  await new Promise<void>((done) => s.bind(0, '127.0.0.1', done));
  return Object.assign(s, { port: s.address().port });
}

/** The next datagram `s` receives, with its sender. */
function nextOn(s: Socket): Promise<{ data: string; from: UdpAddress }> {
  return new Promise((done) => s.once('message', (m, r) => done({ data: m.toString(), from: { address: r.address, port: r.port } })));
}

function sendFrom(s: Socket, text: string, port: number): Promise<void> {
  return new Promise((done, fail) => s.send(text, port, '127.0.0.1', (e) => (e ? fail(e) : done())));
}

describe('UdpPeer', () => {
  const opened: { close(): void }[] = [];
  let before: Record<string, number> = {};
  beforeEach(async () => {
    before = await countHandles();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) s.close();
    expect(await handlesAddedSince(before)).toEqual({});
  });
  const own = async () => {
    const s = await socketOn();
    opened.push(s);
    return s;
  };
  const transcript: string[] = [];
  const record: Recorder = (k, data, detail) => transcript.push(`${k} ${detail ?? ''}${data ? ` ${Buffer.from(data).toString()}` : ''}`);

  it('talks to a server that replies from a new port: from any, then back to that sender', async () => {
    const server = await own();
    const transfer = await own(); // the port a TFTP server answers from
    const peer = await UdpPeer.open('127.0.0.1', server.port, record);
    opened.push(peer);
    transcript.length = 0;
    server.on('message', (_m, r) => void transfer.send('DATA 1', r.port, r.address));
    const ack = nextOn(transfer);
    expect(await peer.send(Buffer.from('RRQ file'))).toBeUndefined();

    const strict = await peer.receive('destination', 150);
    expect(strict).toEqual({ done: false, reason: 'timeout' });
    expect(peer.notAccepted()).toBe(`1 datagram from 127.0.0.1:${transfer.port} was not accepted`);
    expect(peer.queue).toEqual([]);

    const got = await peer.receive('any', 2000);
    expect(got.done && got.value.data.toString()).toBe('DATA 1');
    expect(peer.lastSender).toEqual({ address: '127.0.0.1', port: transfer.port });
    expect(await peer.send(Buffer.from('ACK 1'), 'sender')).toBeUndefined();
    expect(await ack).toEqual({ data: 'ACK 1', from: { address: '127.0.0.1', port: peer.localPort } });
    expect(transcript).toEqual([
      `send datagram of 8 bytes to 127.0.0.1:${server.port} RRQ file`,
      `recv datagram of 6 bytes from 127.0.0.1:${transfer.port} (not the destination) DATA 1`,
      `send datagram of 5 bytes to 127.0.0.1:${transfer.port} ACK 1`,
    ]);
  });

  it('takes what a filter accepts and keeps the rest queued, in arrival order', async () => {
    const destination = await own();
    const a = await own();
    const b = await own();
    const peer = await UdpPeer.open('127.0.0.1', destination.port, () => {});
    opened.push(peer);
    const arrived = (n: number) => peer.changes.wait(() => (peer.inbox.length >= n ? true : undefined), 2000);
    await sendFrom(a, 'a1', peer.localPort);
    await arrived(1);
    await sendFrom(b, 'b1', peer.localPort);
    await arrived(2);
    await sendFrom(destination, 'd1', peer.localPort);
    await arrived(3);
    await sendFrom(a, 'a2', peer.localPort);
    await arrived(4);

    expect(peer.notAccepted()).toBe(`2 datagrams from 127.0.0.1:${a.port} and 1 from 127.0.0.1:${b.port} were not accepted`);
    expect(peer.shift()?.toString()).toBe('d1'); // the default: from the destination only
    expect(peer.take({ port: b.port, address: '127.0.0.1' })?.data.toString()).toBe('b1');
    expect(peer.take({ port: b.port, address: '127.0.0.2' })).toBeUndefined();
    expect(peer.next('any')?.data.toString()).toBe('a1');
    expect(peer.inbox.map((d) => d.data.toString())).toEqual(['a1', 'a2']);
    expect(peer.queuedBytes).toBe(4);
    expect(peer.lastSender).toEqual({ address: '127.0.0.1', port: b.port });
    expect(peer.notAccepted('any')).toBeUndefined();

    const atB = nextOn(b);
    expect(await peer.send(Buffer.from('to b'), { address: '127.0.0.1', port: b.port })).toBeUndefined();
    expect((await atB).data).toBe('to b');
  });

  it('bounds every wait: a timeout, an abort, and a wait a later datagram ends', async () => {
    const destination = await own();
    const peer = await UdpPeer.open('127.0.0.1', destination.port, () => {});
    opened.push(peer);
    const t0 = Date.now();
    expect(await peer.receive('any', 100)).toEqual({ done: false, reason: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(await peer.receive('any', 5000, AbortSignal.timeout(50))).toEqual({ done: false, reason: 'aborted' });
    const waiting = peer.receive({ port: destination.port }, 2000);
    await sendFrom(destination, 'late', peer.localPort);
    const r = await waiting;
    expect(r.done && r.value.data.toString()).toBe('late');
    expect(await peer.send(Buffer.from('x'), 'sender')).toBeUndefined();
  });

  it('says there is no sender to reply to before any datagram was taken, and nothing once closed', async () => {
    const peer = await UdpPeer.open('127.0.0.1', 9, () => {});
    expect(await peer.send(Buffer.from('x'), 'sender')).toMatch(/no sender/);
    peer.close();
    expect(await peer.send(Buffer.from('x'))).toBe('the socket is closed');
  });

  it('close drops every unread datagram and releases the socket', async () => {
    const other = await own();
    const peer = await UdpPeer.open('127.0.0.1', 9, () => {});
    await sendFrom(other, 'stray', peer.localPort);
    await peer.changes.wait(() => peer.next('any'), 2000);
    expect(peer.inbox.length).toBe(1);
    peer.close();
    expect(peer.inbox.length).toBe(0);
    expect(peer.queuedBytes).toBe(0);
    expect(peer.localPort).toBe(0);
  });

  it('keeps at most MAX_QUEUED_BYTES of unread datagrams from a program that floods, and counts the rest', async () => {
    let recorded = 0;
    let recordedBytes = 0;
    const peer = await UdpPeer.serve('127.0.0.1', 0, (kind, data) => {
      if (kind !== 'recv') return;
      recorded++;
      recordedBytes += data?.length ?? 0;
    });
    opened.push(peer);
    const sender = await own();
    const datagram = Buffer.alloc(60_000, 0x41);
    const sent = 200; // 12 MB, three times the queue's bytes
    for (let i = 0; i < sent; i++) {
      await new Promise<void>((done, fail) => sender.send(datagram, peer.localPort, '127.0.0.1', (e) => (e ? fail(e) : done())));
      // one datagram in flight at a time, so that the kernel has no reason to drop any
      await peer.changes.wait(() => (recorded > i ? true : undefined), 2000);
    }
    expect(recordedBytes).toBeGreaterThan(2 * MAX_QUEUED_BYTES);
    const queued = peer.queue.reduce((n, d) => n + d.length, 0);
    expect(queued).toBeLessThanOrEqual(MAX_QUEUED_BYTES);
    expect(peer.dropped).toBe(recorded - peer.queue.length);
  });
});
