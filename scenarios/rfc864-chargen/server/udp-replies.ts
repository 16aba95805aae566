// UDP chargen replies vary in length and content, which the expectations a YAML
// scenario has for a datagram (exact bytes, size, struct) cannot say: the script
// sends its datagrams from a socket of its own and checks each reply itself.
// The program is waited on as a TCP listener: see "One port, two transports" in
// fixtures/rfc-services/README.md.
import { createSocket } from 'node:dgram';
import { defineScenario } from 'sockspec';

const MAX_CHARACTERS = 512;

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

/** The first byte that is neither a printing ASCII character nor CR or LF, or -1. */
function firstNonPrinting(reply: Uint8Array): number {
  return reply.findIndex((b) => !(b >= 0x20 && b <= 0x7e) && b !== 0x0d && b !== 0x0a);
}

export default defineScenario({
  name: 'an empty, a text and an 8192-byte datagram are each answered with one datagram of 0 to 512 printing characters (CR LF allowed)',
  covers: ['RFC864-6'],
  steps: [{ note: 'datagrams sent and replies checked by the script, on a socket of its own' }],
  async script(api) {
    const noise = Buffer.alloc(8192, 0);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 131 + 17) & 0xff;
    const requests: [string, Buffer][] = [
      ['an empty datagram', Buffer.alloc(0)],
      ['a text datagram', Buffer.from('some characters, please')],
      ['an 8192-byte datagram of every byte value', noise],
    ];
    const u = await openSocket(api.port);
    try {
      for (const [what, data] of requests) {
        await u.send(data);
        const reply = await u.next(5000);
        if (!reply) return api.fail(`no reply to ${what} within 5000 ms`);
        api.note(`reply to ${what}: ${reply.length} bytes ${show(reply)}`);
        if (reply.length > MAX_CHARACTERS) api.fail(`the reply to ${what} holds ${reply.length} bytes; at most ${MAX_CHARACTERS} characters are allowed`);
        const bad = firstNonPrinting(reply);
        if (bad >= 0) api.fail(`byte ${bad} of the reply to ${what} is 0x${reply[bad]!.toString(16).padStart(2, '0')}, not a printing character, CR or LF`);
        const extra = await u.next(300);
        if (extra) api.fail(`a second datagram (${extra.length} bytes) came for ${what}`);
      }
    } finally {
      u.close();
    }
  },
});
