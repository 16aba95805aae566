import { describeSuite } from 'sockspec/vitest';

describeSuite('scenarios/udp-time/server', { server: 'node dist/fixtures/udp-time/server/reference.js {port}' });
