import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'echo-ack/server',
  references: {
    python: 'python3 fixtures/echo-ack/server/reference.py {port}',
    typescript: 'node dist/fixtures/echo-ack/server/reference.js {port}',
  },
  faulty: {
    'no-reuseaddr.py': ['SOCK-1', 'fail'],
    'loopback-only.py': ['SOCK-2', 'fail'],
    'serves-concurrently.py': ['ECHO-2', 'fail'],
    'no-ack.py': ['ECHO-4', 'fail'],
    'truncates-echo.py': ['ECHO-5', 'fail'],
    'never-closes.py': ['ECHO-6', 'fail'],
    'exits-after-first-client.py': ['ECHO-7', 'fail'],
    'crashes-on-reset.py': ['ECHO-7', 'fail'],
    'crashes-on-invalid-utf8.py': ['ECHO-8', 'fail'],
    'traceback-on-invalid-utf8.py': ['ECHO-8', 'fail'],
    'spins-on-stdin-eof.py': ['ECHO-9', 'non-strict'],
    'retries-taken-port.py': ['SOCK-3', 'fail'],
  },
});
