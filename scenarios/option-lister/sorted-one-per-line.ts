// What data cannot say: every line of the output is one SO_* name, and the lines are sorted.
import { defineScenario } from 'sockspec';

export default defineScenario({
  name: 'the lister prints only SO_* names, one per line, sorted, without repeats',
  covers: ['SOLIST-1'],
  transport: 'none',
  steps: [{ exit: { code: 0, within: 5000 } }],
  async script(api) {
    const text = api.output();
    if (!text.endsWith('\n')) api.fail(`the output does not end with a line break: ${JSON.stringify(text.slice(-40))}`);
    const lines = text.slice(0, -1).split('\n');
    const odd = lines.find((l) => !/^SO_[A-Z0-9_]+$/.test(l));
    if (odd !== undefined) api.fail(`a line is not one SO_* name: ${JSON.stringify(odd.slice(0, 120))}`);
    for (let i = 1; i < lines.length; i++) {
      if (lines[i - 1]! >= lines[i]!) api.fail(`not sorted (or repeated): ${lines[i - 1]} before ${lines[i]} (lines ${i} and ${i + 1})`);
    }
    api.note(`${lines.length} option names, sorted`);
  },
});
