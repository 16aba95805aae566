import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listeningSockets, listeningSocketsSeen, openConnectionInodes, socketsOfAll, tableEnded, type BoundSocket } from './proc-net.js';
import { socketLinksNow } from './socket-owner.js';

/** How many connections to `port` are open (openConnectionInodes' count). */
const openConnections = async (port: number, procNet?: string) => (await openConnectionInodes(port, procNet))?.length;

describe('openConnectionInodes', () => {
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
    expect(await openConnectionInodes(1, '/nonexistent')).toBeUndefined();
  });

  it('gives each open connection by the inode of the socket its holder has in /proc/<pid>/fd', async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const before = socketLinksNow(process.pid)!;
    const clients = [createConnection({ port, host: '127.0.0.1' }), createConnection({ port, host: '127.0.0.1' })];
    try {
      while (accepted.length < 2) await once(server, 'connection');
      // This process holds both ends: the sockets it holds now that it did not before are the two clients' and the two accepted.
      const fresh = [...socketLinksNow(process.pid)!].filter((l) => !before.has(l));
      const inodes = await openConnectionInodes(port);
      expect(inodes).toHaveLength(2);
      for (const inode of inodes!) expect(fresh).toContain(`socket:[${inode}]`);
      // Stopping at the first read that shows one finds them as well (a read does not show a connection that was not there).
      expect(new Set(await openConnectionInodes(port, undefined, undefined, true))).toEqual(new Set(inodes));
    } finally {
      for (const s of [...accepted, ...clients]) s.destroy();
      server.close();
      await once(server, 'close');
    }
  });
});

describe('reading a table', () => {
  it('ends at a read shorter than asked that left room in its page for another row, not at one the page filled', () => {
    // The kernel gives a TCP table 27 rows of 150 bytes (4,050) per read at most.
    expect(tableEnded(4050, 64 * 1024)).toBe(false);
    expect(tableEnded(16 * 1024, 16 * 1024)).toBe(false);
    expect(tableEnded(450, 64 * 1024)).toBe(true);
    expect(tableEnded(0, 64 * 1024)).toBe(true);
  });

  it('finds every listener and every connection of tables longer than a page', async () => {
    // 40 listeners and 40 connections to one of them: rows over several pages of each table.
    const accepted: Socket[] = [];
    const servers = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const server = createServer((s) => accepted.push(s));
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        return server;
      }),
    );
    const ports = servers.map((s) => (s.address() as { port: number }).port);
    const clients = Array.from({ length: 40 }, () => createConnection({ port: ports[0]!, host: '127.0.0.1' }));
    try {
      while (accepted.length < 40) await once(servers[0]!, 'connection');
      for (const port of ports) expect((await listeningSockets(port, 'tcp')).map((b) => b.address), `port ${port}`).toEqual(['127.0.0.1']);
      expect(await openConnections(ports[0]!)).toBe(40);
    } finally {
      for (const s of [...accepted, ...clients]) s.destroy();
      await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    }
  });
});

describe('the sockets several reads of a table found', () => {
  const at = (address: string, ...inodes: string[]): BoundSocket => ({ address, family: address.includes(':') ? 6 : 4, inodes });

  it('are those any read found: a read that skipped a row does not hide the socket', () => {
    // A page of the table skipped the row in the first and third reads (a socket above it closed meanwhile).
    expect(socketsOfAll([[], [at('127.0.0.1', '11')], []])).toEqual([at('127.0.0.1', '11')]);
    expect(socketsOfAll([[], [], []])).toEqual([]);
  });

  it('hold each address once, with every inode any read showed there', () => {
    const reads = [[at('0.0.0.0', '5')], [at('0.0.0.0', '5', '6'), at('::', '7')], [at('0.0.0.0', '6')]];
    expect(socketsOfAll(reads)).toEqual([at('0.0.0.0', '5', '6'), at('::', '7')]);
    // The reads themselves are left as they were.
    expect(reads[0]).toEqual([at('0.0.0.0', '5')]);
  });

  it.runIf(process.platform === 'linux')('include a UDP socket bound on this machine, with its inode', async () => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    try {
      const found = await listeningSocketsSeen(socket.address().port, 'udp');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ address: '127.0.0.1', family: 4 });
      expect(found[0]!.inodes).toHaveLength(1);
    } finally {
      socket.close();
    }
  });
});
