import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'counter/client',
  references: {
    python: 'python3 fixtures/counter/client/reference.py {port}',
    typescript: 'node dist/fixtures/counter/client/reference.js {port}',
  },
  faulty: {
    'no-line-breaks.py': ['COUNT-C1', 'fail'],
    'prints-first-read-only.py': ['COUNT-C2', 'fail'],
    'waits-2s-after-end.py': ['COUNT-C3', 'non-strict'],
    // Exit 0 is a MUST in the spec, but the catalogue has COUNT-C3 as one SHOULD id.
    'exits-nonzero.py': ['COUNT-C3', 'fail'],
  },
});
