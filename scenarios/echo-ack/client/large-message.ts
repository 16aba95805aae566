// A scripted scenario: a message too large for the socket buffers, typed as one line,
// sent to a server that does not read at first, must arrive whole before end of stream.
import { defineScenario } from 'sockspec';

const SIZE = 6 * 1024 * 1024;
const PATTERN = 'abcdefghijklmnopqrstuvwxyz0123456789';

export default defineScenario({
  name: 'a 6 MiB message, sent to a server that is slow to read, arrives whole and is followed by end of stream',
  covers: ['ECHO-C3'],
  role: 'client',
  // A safety net only: the transfer's own limit is its stall timeout.
  timeout: 600000,
  vars: { message: { fill: { size: SIZE, pattern: PATTERN } } },
  steps: [
    { answer: { prompt: '输入服务器ip:', line: '127.0.0.1' } },
    { answer: { prompt: '输入要发送的信息:', line: PATTERN.repeat(Math.ceil(SIZE / PATTERN.length)).slice(0, SIZE) } },
    // the connection waits unread in the harness's queue meanwhile: the client's writes fill the buffers
    { wait: 300 },
    { accept: 's' },
    // ECHO-C3 sets no speed: the first byte within 20 s, then no more than 10 s without one
    // (a client sending one byte per send() takes tens of seconds, and conforms).
    { expect: { var: 'message', within: 20000, stall: 10000 } },
    { expect: { eof: true, within: 3000 } },
    { stdout: { contains: '发送完成。' } },
    { send: { text: 'ok' } },
    { close: 's' },
    { exit: { code: 0, within: 3000 }, req: 'ECHO-C4' },
  ],
});
