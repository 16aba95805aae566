// A scripted scenario whose script step fails on line 11 (test/script-lines.test.ts reads it).
import { defineScenario } from 'sockspec';

export default defineScenario({
  name: 'a script step that fails',
  covers: ['SCRIPT-1'],
  steps: [{ connect: 'c' }],
  async script(api) {
    await api.step({ send: { text: 'x' } });
    api.note('sent');
    await api.step({ expect: { text: 'never sent', within: 300 } });
  },
});
