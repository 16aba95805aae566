import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_BYTES, UdpPeer } from './udp-peer.js';

describe('UdpPeer', () => {
  it('keeps at most MAX_QUEUED_BYTES of unread datagrams from a program that floods, and counts the rest', async () => {
    let recorded = 0;
    let recordedBytes = 0;
    const peer = await UdpPeer.serve('127.0.0.1', 0, (kind, data) => {
      if (kind !== 'recv') return;
      recorded++;
      recordedBytes += data?.length ?? 0;
    });
    const sender = createSocket('udp4');
    try {
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
    } finally {
      sender.close();
      peer.close();
    }
  });
});
