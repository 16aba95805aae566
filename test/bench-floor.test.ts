/**
 * The bench's floor (bench/floor.ts) makes the bench's exchanges for real, and fails
 * when the reply is not the echo: a floor that measured broken exchanges would say
 * nothing about what a report costs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floorExchanges } from '../bench/floor.js';
import { freePort } from '../harness/process/free-port.js';
import { launch } from '../harness/process/launch.js';
import { waitUntilListening } from '../harness/process/readiness.js';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sockspec-bench-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server on `port` (TCP and UDP) that answers every request with `nope`, then ends the TCP stream. */
function wrongServer(): string {
  const file = join(dir, 'wrong.py');
  writeFileSync(
    file,
    [
      'import socket, sys, threading',
      'port = int(sys.argv[1])',
      'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", port))',
      't = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("127.0.0.1", port)); t.listen(8)',
      'def udp():',
      '    while True:',
      '        _, a = u.recvfrom(65535); u.sendto(b"nope", a)',
      'threading.Thread(target=udp, daemon=True).start()',
      'while True:',
      '    c, _ = t.accept(); c.recv(65535); c.sendall(b"nope"); c.close()',
    ].join('\n'),
  );
  return file;
}

async function withServer(argv: string[], port: number, body: () => Promise<void>): Promise<void> {
  const server = launch({ argv, cwd: ROOT });
  try {
    for (const transport of ['tcp', 'udp'] as const) {
      const ready = await waitUntilListening({ port, transport, exited: server.exited, timeoutMs: 10_000 });
      expect(ready.ok).toBe(true);
    }
    await body();
  } finally {
    await server.stop();
  }
}

describe('the bench floor', () => {
  it('makes the TCP and UDP exchanges against the echo server', async () => {
    const port = await freePort('both');
    await withServer([process.execPath, join(ROOT, 'dist/bench/echo-server.js'), String(port)], port, async () => {
      for (const transport of ['tcp', 'udp'] as const) {
        const ms = await floorExchanges(transport, port, 20);
        expect(ms).toBeGreaterThan(0);
      }
    });
  });

  it('fails when the reply is not the echo', async () => {
    const port = await freePort('both');
    await withServer(['python3', wrongServer(), String(port)], port, async () => {
      await expect(floorExchanges('tcp', port, 3)).rejects.toThrow(/floor tcp exchange failed.*"expect","startedMs":[\d.]+,"outcome":"fail"/);
      await expect(floorExchanges('udp', port, 3)).rejects.toThrow(/floor udp exchange failed.*"expect","startedMs":[\d.]+,"outcome":"fail"/);
    });
  });
});
