import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'hello-tcp/server',
  references: {
    python: 'python3 fixtures/hello-tcp/server/reference.py {port}',
    typescript: 'node dist/fixtures/hello-tcp/server/reference.js {port}',
  },
  faulty: {
    'binds-all-interfaces.py': ['SOCK-2', 'fail'],
    'no-reuseaddr.py': ['SOCK-1', 'fail'],
    'serves-one-at-a-time.py': ['HELLO-2', 'fail'],
    'no-welcome.py': ['HELLO-3', 'fail'],
    'answers-exit.py': ['HELLO-4', 'fail'],
    'replies-after-5s.py': ['HELLO-5', 'fail'],
    'thread-dies-on-invalid-utf8.py': ['HELLO-7', 'non-strict'],
  },
  // most of a scenario is spent waiting for the server's one-second replies
  jobs: 4,
});
