import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'option-lister',
  references: {
    python: 'python3 fixtures/option-lister/reference.py',
    typescript: 'node dist/fixtures/option-lister/reference.js',
  },
  faulty: {
    'unsorted.py': ['SOLIST-1', 'fail'],
    'one-line.py': ['SOLIST-1', 'fail'],
    'misses-reuseaddr.py': ['SOLIST-1', 'fail'],
    'exits-nonzero.py': ['SOLIST-1', 'fail'],
    'lists-other-constants.py': ['SOLIST-1', 'fail'],
  },
});
