import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'udp-time/client',
  references: {
    python: 'python3 fixtures/udp-time/client/reference.py {port}',
    typescript: 'node dist/fixtures/udp-time/client/reference.js {port}',
  },
  faulty: {
    'ignores-typed-address.py': ['TIME-C1', 'fail'],
    'sends-a-newline.py': ['TIME-C2', 'fail'],
    'no-length-check.py': ['TIME-C3', 'fail'],
    'prints-bytes-repr.py': ['TIME-C3', 'fail'],
    'little-endian.py': ['TIME-C4', 'fail'],
    'prints-utc.py': ['TIME-C4', 'fail'],
    'never-times-out.py': ['TIME-C5', 'non-strict'],
    'traceback-on-timeout.py': ['TIME-C5', 'non-strict'],
  },
});
