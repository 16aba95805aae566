// A scripted scenario whose script gives an invalid step on line 9 (test/script-lines.test.ts reads it).
import { defineScenario } from 'sockspec';

export default defineScenario({
  name: 'a script step that is not valid',
  covers: ['SCRIPT-1'],
  steps: [{ connect: 'c' }],
  async script(api) {
    await api.step({ expect: { txt: 'x' } });
  },
});
