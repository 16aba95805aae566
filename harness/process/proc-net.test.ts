import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openConnections } from './proc-net.js';

describe('openConnections', () => {
  it('counts the connections to a port its holder has not closed yet, whoever closed first', async () => {
    const accepted: Socket[] = [];
    const server = createServer({ allowHalfOpen: true }, (s) => accepted.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      expect(await openConnections(port)).toBe(0);
      const client = createConnection({ port, host: '127.0.0.1', allowHalfOpen: true });
      await once(server, 'connection');
      // The client's own socket is on another local port: only the side of `port` counts.
      expect(await openConnections(port)).toBe(1);
      // The peer closed, the holder has not: CLOSE_WAIT is still open on its side.
      client.end();
      await once(accepted[0]!, 'end');
      expect(await openConnections(port)).toBe(1);
      const closed = once(client, 'close');
      accepted[0]!.destroy();
      await closed;
      expect(await openConnections(port)).toBe(0);
    } finally {
      for (const s of accepted) s.destroy();
      server.close();
      await once(server, 'close');
    }
  });

  it('is undefined where the socket tables cannot be read', async () => {
    expect(await openConnections(1, '/nonexistent')).toBeUndefined();
  });
});
