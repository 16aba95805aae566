// A scripted scenario: the reply must carry the current time, computed when it is sent.
import { defineScenario } from 'sockspec';

export default defineScenario({
  name: 'the client asks for the address, sends an empty datagram, and prints the 4-byte reply as a ctime local time',
  covers: ['TIME-C1', 'TIME-C2', 'TIME-C4'],
  role: 'client',
  transport: 'udp',
  // Local time must differ from UTC, or a client printing UTC would pass (CI machines run in UTC);
  // +05:30 also catches a client that gets the offset's whole hours right but not its minutes.
  env: { TZ: 'Asia/Kolkata' },
  steps: [
    { stdout: { contains: '输入服务器地址:' }, req: 'TIME-C1' },
    { type: '127.0.0.1' },
    { accept: 'u', req: 'TIME-C2' },
    { expect: { size: 0 }, req: 'TIME-C2' },
    { stdout: { contains: '等待回复……' }, req: 'TIME-C2' },
  ],
  async script(api) {
    const now = Math.floor(Date.now() / 1000);
    const hex = now.toString(16).padStart(8, '0');
    api.note(`replied with ${now} (0x${hex})`);
    await api.step({ send: { hex } });
    await api.step({ stdout: { ctime: 2 }, req: 'TIME-C4' });
    await api.step({ exit: { code: 0, within: 3000 }, req: 'TIME-C4' });
  },
});
