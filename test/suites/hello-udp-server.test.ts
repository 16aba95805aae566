import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'hello-udp/server',
  references: {
    python: 'python3 fixtures/hello-udp/server/reference.py {port}',
    typescript: 'node dist/fixtures/hello-udp/server/reference.js {port}',
  },
  faulty: {
    'binds-all-interfaces.py': ['SOCK-2', 'fail'],
    'truncates-at-512.py': ['UHELLO-2', 'fail'],
    'replies-without-exclamation-mark.py': ['UHELLO-2', 'fail'],
    'ignores-empty-datagrams.py': ['UHELLO-3', 'fail'],
  },
});
