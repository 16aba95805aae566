import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'ack-long/server',
  references: {
    python: 'python3 fixtures/ack-long/server/reference.py {port}',
    typescript: 'node dist/fixtures/ack-long/server/reference.js {port}',
  },
  faulty: {
    'no-reuseaddr.py': ['SOCK-1', 'fail'],
    'all-interfaces.py': ['SOCK-2', 'fail'],
    'retries-taken-port.py': ['SOCK-3', 'fail'],
    'serves-concurrently.py': ['ACKL-1', 'fail'],
    'small-backlog.py': ['ACKL-1', 'fail'],
    'acks-first-read-only.py': ['ACKL-2', 'fail'],
    'loops-after-eof.py': ['ACKL-3', 'fail'],
    'exits-after-first-client.py': ['ACKL-3', 'fail'],
  },
});
