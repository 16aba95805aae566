// UDP daytime replies vary in length (the text of the date), which the expectations
// a YAML scenario has for a datagram (exact bytes, size, struct) cannot say: the
// script sends its datagrams from a socket of its own and checks each reply itself.
// The program is waited on as a TCP listener: see "One port, two transports" in
// fixtures/rfc-services/README.md.
import { createSocket } from 'node:dgram';
import { defineScenario } from 'sockspec';

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
  name: 'an empty and a text datagram are each answered with one datagram - text with the date; one line of printing characters with its line end',
  covers: ['RFC867-4', 'RFC867-2'],
  steps: [{ note: 'datagrams sent and replies checked by the script, on a socket of its own' }],
  async script(api) {
    const u = await openSocket(api.port);
    try {
      await u.send(Buffer.alloc(0));
      const first = await u.next(5000);
      if (!first) return api.fail('no reply to an empty datagram within 5000 ms', ['RFC867-4']);
      api.note(`reply to an empty datagram: ${first.length} bytes ${show(first)}`);
      if (!/[!-~]/.test(first.toString('latin1'))) api.fail(`the reply to an empty datagram holds no text: ${show(first)}`, ['RFC867-4']);
      const extra = await u.next(300);
      if (extra) api.fail(`a second datagram (${extra.length} bytes) came for one`, ['RFC867-4']);

      await u.send(Buffer.from('What time is it, please?'));
      const second = await u.next(5000);
      if (!second) return api.fail('no reply to a text datagram within 5000 ms', ['RFC867-4']);
      api.note(`reply to a text datagram: ${second.length} bytes ${show(second)}`);
      if (!/^[ -~]+\r?\n$/.test(second.toString('latin1'))) api.fail(`the reply is not one line of printing characters ending in CR LF or LF: ${show(second)}`, ['RFC867-2']);
      const more = await u.next(300);
      if (more) api.fail(`a second datagram (${more.length} bytes) came for one`, ['RFC867-4']);
    } finally {
      u.close();
    }
  },
});
