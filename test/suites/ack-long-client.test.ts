import { checkSuite } from '../suite-case.js';

/** The scenarios expect N = 3 rounds: the clients take N as the argument after the port. */
const run = (file: string) => `python3 fixtures/ack-long/client/${file} {port} 3`;

checkSuite({
  suite: 'ack-long/client',
  references: {
    python: run('reference.py'),
    typescript: 'node dist/fixtures/ack-long/client/reference.js {port} 3',
  },
  faulty: {
    'does-not-wait-for-reply.py': ['ACKL-C1', 'fail', run('does-not-wait-for-reply.py')],
    'appends-newline.py': ['ACKL-C1', 'fail', run('appends-newline.py')],
    'exits-nonzero.py': ['ACKL-C1', 'fail', run('exits-nonzero.py')],
    'ignores-count.py': ['ACKL-C1', 'fail', run('ignores-count.py')],
  },
});
