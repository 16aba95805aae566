import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'ack-short/server',
  references: {
    python: 'python3 fixtures/ack-short/server/reference.py {port}',
    typescript: 'node dist/fixtures/ack-short/server/reference.js {port}',
  },
  faulty: {
    'no-reuseaddr.py': ['SOCK-1', 'fail'],
    'all-interfaces.py': ['SOCK-2', 'fail'],
    'retries-taken-port.py': ['SOCK-3', 'fail'],
    'serves-one-at-a-time.py': ['ACKS-1', 'fail'],
    'ack-with-newline.py': ['ACKS-2', 'fail'],
    'acks-every-read.py': ['ACKS-2', 'fail'],
  },
});
