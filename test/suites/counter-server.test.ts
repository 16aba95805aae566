import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'counter/server',
  references: {
    python: 'python3 fixtures/counter/server/reference.py {port}',
    typescript: 'node dist/fixtures/counter/server/reference.js {port}',
  },
  faulty: {
    'no-reuseaddr.py': ['SOCK-1', 'fail'],
    'loopback-only.py': ['SOCK-2', 'fail'],
    'retries-taken-port.py': ['SOCK-3', 'fail'],
    'traceback-on-taken-port.py': ['SOCK-3', 'fail'],
    'keeps-serving.py': ['COUNT-2', 'fail'],
    'stops-at-eight.py': ['COUNT-3', 'fail'],
    'newline-after-each.py': ['COUNT-3', 'fail'],
    'waits-for-client-close.py': ['COUNT-3', 'fail'],
  },
});
