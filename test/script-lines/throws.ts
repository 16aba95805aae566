// A scripted scenario whose script throws on line 10 (test/script-lines.test.ts reads it).
import { defineScenario } from 'sockspec';

export default defineScenario({
  name: 'a script that throws',
  covers: ['SCRIPT-1'],
  steps: [{ connect: 'c' }],
  async script(api) {
    await api.step({ send: { text: 'x' } });
    if (api.port > 0) throw new Error('the script gave up');
  },
});
