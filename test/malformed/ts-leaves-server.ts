import { createServer } from 'node:net';
createServer().listen(0, '127.0.0.1');
export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }] };
