import { checkSuite } from '../suite-case.js';

checkSuite({
  suite: 'udp-time/server',
  references: {
    python: 'python3 fixtures/udp-time/server/reference.py {port}',
    typescript: 'node dist/fixtures/udp-time/server/reference.js {port}',
  },
  faulty: {
    'little-endian.py': ['TIME-2', 'fail'],
    'eight-byte-reply.py': ['TIME-2', 'fail'],
    'ignores-empty-datagrams.py': ['TIME-2', 'fail'],
    'replies-twice.py': ['TIME-2', 'fail'],
    'clock-ahead.py': ['TIME-3', 'fail'],
    'sends-local-time.py': ['TIME-3', 'fail'],
    'dies-on-oversized.py': ['TIME-4', 'fail'],
    'no-reuseaddr.py': ['TIME-1', 'fail'],
    'loopback-only.py': ['TIME-1', 'fail'],
    'retries-taken-port.py': ['SOCK-3', 'fail'],
  },
});
