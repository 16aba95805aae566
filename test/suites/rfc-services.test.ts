import { checkSuite } from '../suite-case.js';

// One suite per classic service; every server serves its service on TCP and UDP of
// one port. The references and the faulty fixtures take the port as {port}, so the
// scenarios run side by side (xinetd, on a fixed port, is checked in test/xinetd.test.ts).
const fixture = (file: string) => `python3 fixtures/rfc-services/${file} {port}`;
const references = (service: string) => ({
  python: `python3 fixtures/rfc-services/reference.py ${service} {port}`,
  typescript: `node dist/fixtures/rfc-services/reference.js ${service} {port}`,
});

checkSuite({
  suite: 'rfc862-echo/server',
  references: references('echo'),
  faulty: {
    'echo-drops-after-1024.py': ['RFC862-1', 'fail', fixture('echo-drops-after-1024.py')],
    'echo-serves-one-at-a-time.py': ['RFC862-4', 'non-strict', fixture('echo-serves-one-at-a-time.py')],
    'echo-udp-ignores-empty.py': ['RFC862-5', 'fail', fixture('echo-udp-ignores-empty.py')],
  },
});

checkSuite({
  suite: 'rfc863-discard/server',
  references: references('discard'),
  faulty: {
    'discard-acknowledges.py': ['RFC863-1', 'fail', fixture('discard-acknowledges.py')],
    'discard-stops-reading.py': ['RFC863-2', 'fail', fixture('discard-stops-reading.py')],
  },
});

checkSuite({
  suite: 'rfc864-chargen/server',
  references: references('chargen'),
  faulty: {
    'chargen-waits-for-input.py': ['RFC864-1', 'fail', fixture('chargen-waits-for-input.py')],
    'chargen-71-character-lines.py': ['RFC864-4', 'non-strict', fixture('chargen-71-character-lines.py')],
    'chargen-udp-1024-characters.py': ['RFC864-6', 'fail', fixture('chargen-udp-1024-characters.py')],
  },
});

checkSuite({
  suite: 'rfc867-daytime/server',
  references: references('daytime'),
  faulty: {
    'daytime-never-closes.py': ['RFC867-1', 'fail', fixture('daytime-never-closes.py')],
    'daytime-no-line-end.py': ['RFC867-2', 'non-strict', fixture('daytime-no-line-end.py')],
    'daytime-tab.py': ['RFC867-2', 'non-strict', fixture('daytime-tab.py')],
    // A SHOULD failure first must not hide the MUST after it.
    'daytime-tab-never-closes.py': ['RFC867-1', 'fail', fixture('daytime-tab-never-closes.py')],
  },
});

checkSuite({
  suite: 'rfc868-time/server',
  references: references('time'),
  faulty: {
    'time-unix-epoch.py': ['RFC868-2', 'fail', fixture('time-unix-epoch.py')],
    'time-clock-behind.py': ['RFC868-3', 'fail', fixture('time-clock-behind.py')],
    'time-local-clock.py': ['RFC868-3', 'fail', fixture('time-local-clock.py')],
    'time-udp-ignores-empty.py': ['RFC868-4', 'fail', fixture('time-udp-ignores-empty.py')],
  },
});
