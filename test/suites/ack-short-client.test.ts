import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'ack-short/client',
  references: {
    python: 'python3 fixtures/ack-short/client/reference.py {port}',
    typescript: 'node dist/fixtures/ack-short/client/reference.js {port}',
  },
  faulty: {
    'does-not-wait-for-reply.py': ['ACKS-C1', 'fail'],
    'sends-capitalised-text.py': ['ACKS-C1', 'fail'],
    'exits-nonzero.py': ['ACKS-C1', 'fail'],
  },
});
