import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'hello-udp/client',
  references: {
    python: 'python3 fixtures/hello-udp/client/reference.py {port}',
    typescript: 'node dist/fixtures/hello-udp/client/reference.js {port}',
  },
  faulty: {
    'names-in-one-datagram.py': ['UHELLO-C1', 'fail'],
    'prints-bytes-repr.py': ['UHELLO-C1', 'fail'],
    'waits-for-ever.py': ['UHELLO-C2', 'non-strict'],
  },
});
