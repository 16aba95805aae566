/**
 * A plain echo server on TCP and UDP (RFC 862) on one port, for the benchmark.
 * Port from argv[2], else PORT.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const port = Number(process.argv[2] ?? process.env.PORT);
createServer({ allowHalfOpen: true }, (s) => {
  s.on('error', () => s.destroy());
  s.pipe(s);
}).listen(port, '127.0.0.1');
const udp = createSocket('udp4');
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
udp.bind(port, '127.0.0.1');
