// Ten sockets of the script's own send a datagram each at once and wait for their
// replies: daytime replies vary in length, which the expectations a YAML scenario
// has for a datagram (exact bytes, size, struct) cannot say.
// The program is waited on as a TCP listener: see "One port, two transports" in
// fixtures/rfc-services/README.md.
import { createSocket } from 'node:dgram';
import { defineScenario } from 'sockspec';

const SENDERS = 10;

/** A UDP socket of the script's own on 127.0.0.1, collecting what the program at `port` sends it. */
async function openSocket(port: number) {
  const socket = createSocket('udp4');
  const queue: Buffer[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (msg, rinfo) => {
    if (rinfo.port !== port) return;
    queue.push(msg);
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  return {
    send: (data: Uint8Array) => new Promise<void>((resolve, reject) => socket.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
    /** The next datagram, or undefined when none comes within `ms`. */
    async next(ms: number): Promise<Buffer | undefined> {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return queue.shift();
    },
    close: () => socket.close(),
  };
}

/** `bytes` for a note: printable ASCII as is, the rest as \xHH, cut at 60. */
function show(bytes: Uint8Array): string {
  const text = Array.from(bytes.subarray(0, 60), (b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  return `"${text}"${bytes.length > 60 ? '…' : ''}`;
}

export default defineScenario({
  name: 'ten senders whose datagrams arrive together each get their own reply',
  covers: ['RFC867-6'],
  steps: [{ note: 'datagrams sent and replies checked by the script, on sockets of its own' }],
  async script(api) {
    const sockets = await Promise.all(Array.from({ length: SENDERS }, () => openSocket(api.port)));
    try {
      await Promise.all(sockets.map((u) => u.send(Buffer.alloc(0))));
      const replies = await Promise.all(sockets.map((u) => u.next(2000)));
      const answered = replies.filter((r) => r !== undefined && /[!-~]/.test(r.toString('latin1'))).length;
      api.note(`${answered} of ${SENDERS} senders got a reply with text`);
      if (answered < SENDERS) api.fail(`${SENDERS - answered} of ${SENDERS} senders got no reply with text within 2000 ms`);
    } finally {
      for (const u of sockets) u.close();
    }
  },
});
