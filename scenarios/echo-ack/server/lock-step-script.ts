// A scripted scenario: messages of growing size, each sent and answered in lock-step
// before the next, their content computed rather than written out.
import { defineScenario } from 'sockspec';

const SIZES = [1, 7, 64, 1000, 4000];

/** `size` bytes cycling through the printable ASCII range, starting at an offset. */
function message(size: number, offset: number): string {
  return Array.from({ length: size }, (_, i) => String.fromCharCode(33 + ((i + offset) % 94))).join('');
}

export default defineScenario({
  name: 'messages of 1 to 4000 bytes in lock-step, each echoed in rounds before the next is sent',
  covers: ['ECHO-4', 'ECHO-5', 'ECHO-6'],
  steps: [{ answer: { prompt: 'input the word:', line: 'next' } }, { connect: 'c' }],
  async script(api) {
    for (const [i, size] of SIZES.entries()) {
      const text = message(size, i);
      await api.step({ send: { text } });
      await api.step({ expect: { rounds: { data: { text }, trailer: { text: '\nI get it!\nnext' } } } });
    }
    await api.step({ shutdown: 'c' });
    await api.step({ expect: { eof: true }, req: 'ECHO-6' });
    api.note(`${SIZES.length} messages answered in lock-step`);
  },
});
