import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'echo-ack/client',
  references: {
    python: 'python3 fixtures/echo-ack/client/reference.py {port}',
    typescript: 'node dist/fixtures/echo-ack/client/reference.js {port}',
    // Conforming, only slow: the 6 MiB message of large-message.ts takes tens of seconds.
    'one byte per send()': 'python3 fixtures/echo-ack/client/sends-one-byte-per-send.py {port}',
  },
  faulty: {
    'asks-message-first.py': ['ECHO-C1', 'fail'],
    'exits-zero-on-connect-error.py': ['ECHO-C2', 'fail'],
    'ignores-typed-address.py': ['ECHO-C2', 'fail'],
    'traceback-after-connect-error.py': ['ECHO-C2', 'fail'],
    'never-half-closes.py': ['ECHO-C3', 'fail'],
    'appends-newline.py': ['ECHO-C3', 'fail'],
    'ignores-partial-send.py': ['ECHO-C3', 'fail'],
    'prints-first-read-only.py': ['ECHO-C4', 'fail'],
  },
});
