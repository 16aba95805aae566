import { existsSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, TLSSocket, type Server as TlsNodeServer, type TlsOptions } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countHandles, handlesAddedSince } from '../process/test-probes.js';
import { makeCertificate, type RunCertificate } from './certificate.js';
import { TcpListener } from './tcp-listener.js';
import { connectTcp, connectTls, type TcpPeer } from './tcp-peer.js';
import { tlsServer } from './tls.js';
import type { Recorder } from './waiter.js';

const quiet: Recorder = () => {};

/** Wait until `peer` has received `text` (unconsumed). */
async function received(peer: TcpPeer, text: string): Promise<void> {
  const r = await peer.changes.wait(() => (peer.buffer.includes(text) ? true : undefined), 3000);
  expect(r.done, `waiting for ${JSON.stringify(text)}, have ${JSON.stringify(peer.buffer.toString('latin1'))}`).toBe(true);
}

/** Everything `s` receives until it ends. */
function collect(s: Socket): Promise<string> {
  return new Promise((done) => {
    let all = '';
    s.on('data', (d: Buffer) => (all += d.toString()));
    s.on('end', () => done(all));
    s.on('error', (e) => done(`${all}<${(e as NodeJS.ErrnoException).code}>`));
  });
}

function listening<S extends NetServer>(server: S): Promise<number> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
}

describe('TLS', () => {
  let cert: RunCertificate;
  let madeInMs = 0;
  const cleanups: (() => void)[] = [];
  let before: Record<string, number> = {};

  beforeAll(async () => {
    const t0 = performance.now();
    cert = await makeCertificate();
    madeInMs = performance.now() - t0;
  });
  afterAll(async () => {
    await cert.close();
    expect(existsSync(cert.certPath)).toBe(false);
  });
  beforeEach(async () => {
    before = await countHandles();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) c();
    // A socket destroyed here may keep a short-lived timer of Node's own for a few turns on a loaded machine:
    // what is still there after a second is a leak.
    const until = performance.now() + 1000;
    let added = await handlesAddedSince(before);
    while (Object.keys(added).length > 0 && performance.now() < until) added = await handlesAddedSince(before);
    expect(added).toEqual({});
  });

  /** A node:tls echo server with the run's certificate. */
  async function echoServer(options: TlsOptions = {}): Promise<number> {
    const sockets = new Set<Socket>();
    const server: TlsNodeServer = createTlsServer({ cert: cert.cert, key: cert.key, allowHalfOpen: true, ...options }, (s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    });
    server.on('tlsClientError', () => {});
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    return listening(server);
  }

  /** A plain server that answers `STARTTLS\r\n` with `goAhead`, then speaks TLS and greets at once. */
  async function starttlsServer(goAhead: string): Promise<number> {
    const sockets = new Set<Socket>();
    const server = createNetServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.once('data', () => {
        s.write(goAhead);
        s.once('readable', () => {
          // the client's hello: from here on, TLS
          const t = new TLSSocket(s, { isServer: true, cert: cert.cert, key: cert.key });
          sockets.add(t);
          t.on('error', () => {});
          t.on('secure', () => t.write('hello after handshake\r\n'));
          t.on('data', (d) => t.write(`echo ${String(d)}`));
        });
      });
    });
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    return listening(server);
  }

  function keep(peer: TcpPeer): TcpPeer {
    cleanups.push(() => peer.close());
    return peer;
  }

  it('makes the certificate quickly, for localhost and 127.0.0.1', () => {
    expect(madeInMs).toBeLessThan(2000);
    expect(cert.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(existsSync(cert.keyPath)).toBe(true);
  });

  it('connects, verifies against the CA, exchanges data and half-closes', async () => {
    const port = await echoServer();
    const r = await connectTls('127.0.0.1', port, { ca: cert.cert }, 3000, quiet);
    expect(r.ok).toBe(true);
    const peer = keep(r.ok ? r.peer : (undefined as never));
    expect(peer.tls).toMatch(/^tls TLSv1\.3, certificate verified$/);
    expect(await peer.send(Buffer.from('ping'), [2], 0)).toBeUndefined();
    await received(peer, 'ping');
    peer.consume(4);
    peer.shutdown();
    const ended = await peer.changes.wait(() => (peer.ended ? true : undefined), 3000);
    expect(ended.done).toBe(true);
  });

  it('checks the name given as servername, and offers ALPN', async () => {
    const port = await echoServer({ ALPNProtocols: ['x-test'] });
    const r = await connectTls('127.0.0.1', port, { ca: cert.cert, servername: 'localhost', alpn: ['x-other', 'x-test'] }, 3000, quiet);
    expect(r.ok && keep(r.peer).tls).toBe('tls TLSv1.3, certificate verified, ALPN x-test');
  });

  it('fails with tls-handshake and the reason: no CA, a name the certificate lacks', async () => {
    const port = await echoServer();
    const lines: string[] = [];
    const noCa = await connectTls('127.0.0.1', port, {}, 3000, (k, _d, detail) => lines.push(`${k} ${detail ?? ''}`));
    expect(noCa).toEqual({ ok: false, code: 'tls-handshake', message: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)' });
    expect(lines.at(-1)).toBe('error tls-handshake: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    const mismatch = await connectTls('127.0.0.1', port, { ca: cert.cert, servername: 'example.com' }, 3000, quiet);
    expect(mismatch.ok || mismatch.code).toBe('tls-handshake');
    expect(mismatch.ok || mismatch.message).toMatch(/^hostname mismatch: .*example\.com/);
  });

  it('accepts any certificate when insecure, and says it was not verified', async () => {
    const port = await echoServer();
    const r = await connectTls('127.0.0.1', port, { insecure: true }, 3000, quiet);
    expect(r.ok && keep(r.peer).tls).toBe('tls TLSv1.3, certificate not verified (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it('bounds the handshake: a server that never answers gives a timeout', async () => {
    const sockets: Socket[] = [];
    const server = createNetServer((s) => sockets.push(s));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const port = await listening(server);
    const t0 = Date.now();
    const r = await connectTls('127.0.0.1', port, { ca: cert.cert }, 200, quiet);
    expect(r).toEqual({ ok: false, code: 'timeout', message: 'no TLS handshake within 200 ms of connecting' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  /** A plain connection to a server that answers STARTTLS with `goAhead`, once `goAhead` has arrived. */
  async function askedForTls(goAhead: string): Promise<TcpPeer> {
    const r = await connectTcp('127.0.0.1', await starttlsServer(goAhead), 3000, quiet);
    const peer = keep(r.ok ? r.peer : (undefined as never));
    await peer.send(Buffer.from('STARTTLS\r\n'), [], 0);
    await received(peer, goAhead);
    return peer;
  }

  it('starttls after a plaintext go-ahead, with data the server sends right after its handshake', async () => {
    const peer = await askedForTls('220 go ahead\r\n');
    peer.consume(peer.buffer.length);
    expect(await peer.starttls({ ca: cert.cert, servername: 'localhost' }, 3000)).toEqual({ ok: true });
    expect(peer.plaintextBeforeTls).toBeUndefined();
    await received(peer, 'hello after handshake\r\n');
    expect(peer.buffer.toString()).toBe('hello after handshake\r\n');
    peer.consume(peer.buffer.length);
    await peer.send(Buffer.from('ping'), [], 0);
    await received(peer, 'echo ping');
  });

  it('starttls sets aside plaintext that came after the go-ahead: never read as TLS data', async () => {
    const peer = await askedForTls('220 go ahead\r\nINJECTED');
    peer.consume('220 go ahead\r\n'.length);
    expect(await peer.starttls({ ca: cert.cert }, 3000)).toEqual({ ok: true });
    expect(peer.plaintextBeforeTls?.toString()).toBe('INJECTED');
    await received(peer, 'hello after handshake\r\n');
    expect(peer.buffer.toString()).toBe('hello after handshake\r\n');
  });

  it('starttls on an ended connection says there is nothing to upgrade', async () => {
    const port = await echoServer();
    const r = await connectTcp('127.0.0.1', port, 3000, quiet);
    const peer = keep(r.ok ? r.peer : (undefined as never));
    peer.close();
    expect(await peer.starttls({}, 1000)).toMatchObject({ ok: false, code: 'tls-handshake', message: expect.stringMatching(/nothing to upgrade/) });
  });

  it('a reset on a TLS connection reaches the server as a reset', async () => {
    let all: Promise<string> | undefined;
    const server = createTlsServer({ cert: cert.cert, key: cert.key }, (s) => {
      all = collect(s);
      s.once('data', (d) => s.write(d));
    });
    cleanups.push(() => server.close());
    const port = await listening(server);
    const r = await connectTls('127.0.0.1', port, { ca: cert.cert }, 3000, quiet);
    const peer = keep(r.ok ? r.peer : (undefined as never));
    await peer.send(Buffer.from('x'), [], 0);
    await received(peer, 'x'); // the echo comes after the server's session tickets: nothing of the handshake is left in flight
    peer.reset();
    expect(await all).toBe('x<ECONNRESET>');
  });

  describe('the harness serving TLS', () => {
    it('serves TLS on its listener, to a node:tls client that trusts the run CA', async () => {
      const listener = await TcpListener.open('127.0.0.1', 0, tlsServer({ cert: cert.cert, key: cert.key, alpn: ['x-test'] }));
      cleanups.push(() => listener.close());
      const client = tlsConnect({ host: '127.0.0.1', port: listener.port, ca: cert.cert, servername: 'localhost', ALPNProtocols: ['x-test'] });
      cleanups.push(() => client.destroy());
      const all = collect(client);
      client.once('secureConnect', () => client.write('hi'));
      const r = await listener.accept(3000, quiet);
      const peer = keep(r.done ? r.value : (undefined as never));
      expect(peer.tls).toBe('tls TLSv1.3, ALPN x-test');
      await received(peer, 'hi');
      await peer.send(Buffer.from('yo'), [], 0);
      peer.shutdown();
      expect(await all).toBe('yo');
      expect(client.authorized).toBe(true);
    });

    it('accept fails with tls-handshake when the client speaks plaintext', async () => {
      const listener = await TcpListener.open('127.0.0.1', 0, tlsServer({ cert: cert.cert, key: cert.key }));
      cleanups.push(() => listener.close());
      const client = netConnect({ host: '127.0.0.1', port: listener.port }, () => client.write('GET / HTTP/1.0\r\n\r\n'));
      cleanups.push(() => client.destroy());
      client.on('error', () => {});
      const r = await listener.accept(3000, quiet);
      expect(r.done).toBe(false);
      expect(!r.done && r.reason).toBe('tls-handshake');
      expect(!r.done && 'message' in r && r.message).toMatch(/http request|wrong version number/);
    });

    it('upgrades an accepted plain connection, the client hello already buffered', async () => {
      const listener = await TcpListener.open('127.0.0.1', 0);
      cleanups.push(() => listener.close());
      const plain = netConnect({ host: '127.0.0.1', port: listener.port }, () => plain.write('STARTTLS\r\n'));
      cleanups.push(() => plain.destroy());
      const clientSide = new Promise<TLSSocket>((done) =>
        plain.once('data', () => {
          const t = tlsConnect({ socket: plain, ca: cert.cert, servername: 'localhost' }, () => t.write('after'));
          t.on('error', () => {});
          done(t);
        }),
      );
      const r = await listener.accept(3000, quiet);
      const peer = keep(r.done ? r.value : (undefined as never));
      await received(peer, 'STARTTLS\r\n');
      peer.consume(peer.buffer.length);
      await peer.send(Buffer.from('220 go ahead\r\n'), [], 0);
      await peer.changes.wait(() => (peer.buffer.length > 0 ? true : undefined), 3000); // the hello came in plaintext
      expect(peer.buffer[0]).toBe(0x16); // a TLS handshake record
      expect(await peer.starttlsServer(tlsServer({ cert: cert.cert, key: cert.key }), 3000)).toEqual({ ok: true });
      await received(peer, 'after');
      expect(peer.buffer.toString()).toBe('after');
      expect((await clientSide).authorized).toBe(true);
    });
  });
});
