import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'hello-tcp/client',
  references: {
    python: 'python3 fixtures/hello-tcp/client/reference.py {port}',
    typescript: 'node dist/fixtures/hello-tcp/client/reference.js {port}',
  },
  faulty: {
    'does-not-print-welcome.py': ['HELLO-C1', 'fail'],
    'does-not-wait-for-replies.py': ['HELLO-C2', 'fail'],
    'never-sends-exit.py': ['HELLO-C3', 'fail'],
    'exits-nonzero.py': ['HELLO-C3', 'fail'],
  },
});
