import { describe, expect, it } from 'vitest';
import { classifyForJunit, renderJunitReport, splitScenarioPath } from './junit-report.js';
import { sampleRun, sampleScenario, sampleScenarioOfTwoFailures, withExpectation } from './sample-run.js';
import { wellFormednessProblems } from '../../test/xml-wellformed.js';

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const openingTags = (xml: string, element: string) => xml.match(new RegExp(`<${element}[\\s>][^>]*>`, 'g')) ?? [];

describe('renderJunitReport', () => {
  it('the checker itself rejects broken documents', () => {
    expect(wellFormednessProblems('<a><b></a></b>')).not.toEqual([]);
    expect(wellFormednessProblems('<a>x & y</a>')).not.toEqual([]);
    expect(wellFormednessProblems('<a>]]></a>')).not.toEqual([]);
    expect(wellFormednessProblems('<a x="1" x="2"/>')).not.toEqual([]);
    expect(wellFormednessProblems('<a>\u0001</a>')).not.toEqual([]);
    expect(wellFormednessProblems('<a/><b/>')).not.toEqual([]);
    expect(wellFormednessProblems('<?xml version="1.0"?>\n<a t="&lt;&#10;">ok &amp; &#x41;</a>\n')).toEqual([]);
  });

  it('is well-formed whatever bytes the program sent, and never uses CDATA', () => {
    for (const strict of [false, true]) {
      const xml = renderJunitReport(sampleRun({ strict }));
      expect(wellFormednessProblems(xml)).toEqual([]);
      expect(xml).not.toContain('CDATA');
      expect(xml).toContain('\\xff\\xfe]]&gt;&lt;&amp;&gt;\\x01');
      expect(xml).toContain('read ECONNRESET \\x01 ]]&gt; \\u{D800}');
    }
  });

  it('shows forbidden characters in names and properties as \\uXXXX', () => {
    const r = sampleScenario('fail', 'weird\u0001/x\uD800.yaml', 'py\u0000thon');
    r.covers = ['ECHO-\uFFFF'];
    const run = { ...sampleRun(), scenarios: [r] };
    const xml = renderJunitReport(run);
    expect(wellFormednessProblems(xml)).toEqual([]);
    expect(xml).toContain('classname="weird\\u0001"');
    expect(xml).toContain('name="x\\uD800.yaml [py\\u0000thon]"');
    expect(xml).toContain('<property name="requirement" value="ECHO-\\uFFFF"/>');
  });

  it('counts tests, failures, errors and skipped per folder and overall', () => {
    const xml = renderJunitReport(sampleRun());
    const [suites] = openingTags(xml, 'testsuites');
    expect([attr(suites!, 'tests'), attr(suites!, 'failures'), attr(suites!, 'errors'), attr(suites!, 'skipped'), attr(suites!, 'time')]).toEqual(['6', '1', '1', '1', '4.321']);
    const suite = openingTags(xml, 'testsuite');
    expect(suite.map((t) => attr(t, 'name'))).toEqual(['scenarios/echo-ack/server', 'scenarios/udp-time/server']);
    expect(suite.map((t) => [attr(t, 'tests'), attr(t, 'failures'), attr(t, 'errors'), attr(t, 'skipped'), attr(t, 'time')])).toEqual([
      ['3', '1', '0', '0', '3.702'],
      ['3', '0', '1', '1', '3.702'],
    ]);
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.match(/<error /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(1);
  });

  it('fails an unmet SHOULD only in a strict run, and always shows it in system-out', () => {
    const lax = renderJunitReport(sampleRun());
    const strict = renderJunitReport(sampleRun({ strict: true }));
    expect(attr(openingTags(strict, 'testsuites')[0]!, 'failures')).toBe('2');
    const nonStrictCase = (xml: string) => xml.slice(xml.indexOf('name="non-strict.yaml'), xml.indexOf('</testcase>', xml.indexOf('name="non-strict.yaml')));
    expect(nonStrictCase(lax)).not.toContain('<failure');
    expect(nonStrictCase(lax)).toContain('<system-out>warning: a SHOULD requirement was not met');
    expect(nonStrictCase(strict)).toContain('<failure message=');
    expect(nonStrictCase(strict)).toContain('<system-out>');
  });

  it('writes testcases with classname, name, time, properties, the problem and the transcript', () => {
    const xml = renderJunitReport(sampleRun());
    expect(xml).toContain('<testcase classname="scenarios/echo-ack/server" name="fail.yaml [python]" time="1.234" file="scenarios/echo-ack/server/fail.yaml" line="12">');
    expect(xml).toContain('<property name="requirement" value="ECHO-4"/>');
    expect(xml).toContain('<failure message="expected &quot;hello\\n&quot;, got &quot;a\\0b\\xff\\xfe]]&gt;&lt;&amp;&gt;&quot;" type="mismatch">mismatch: ');
    expect(xml).toContain('first difference at byte 0');
    expect(xml).toContain('transcript (6 entries):');
    expect(xml).toContain('<error message="the program exited before listening (exit status 3); stderr: cannot bind: no luck" type="exited-early">');
    expect(xml).toContain('<skipped message="needs a console &amp; &lt;stdin&gt;"/>');
    expect(xml).toMatch(/name="info.yaml \[python\]"[^]*?<system-out>[^]*?server answered with &lt;&amp;&gt;/);
  });

  it('gives each testcase its file, the line of its failing step when there is one, and each requirement with its outcome', () => {
    const run = { ...sampleRun(), scenarios: [sampleScenarioOfTwoFailures(), sampleScenario('pass'), sampleScenario('info'), sampleScenario('error')] };
    const xml = renderJunitReport(run);
    expect(wellFormednessProblems(xml)).toEqual([]);
    const cases = openingTags(xml, 'testcase');
    expect(cases.map((t) => [attr(t, 'file'), attr(t, 'line')])).toEqual([
      ['scenarios/echo-ack/server/two.yaml', '12'],
      ['scenarios/echo-ack/server/hello.yaml', undefined],
      // An INFO observation is not a failing step.
      ['scenarios/echo-ack/server/hello.yaml', undefined],
      ['scenarios/echo-ack/server/hello.yaml', undefined],
    ]);
    const first = xml.slice(xml.indexOf('<testcase'), xml.indexOf('</properties>'));
    expect(first.match(/<property [^>]*>/g)).toEqual([
      '<property name="file" value="scenarios/echo-ack/server/two.yaml"/>',
      '<property name="line" value="12"/>',
      '<property name="requirement" value="ECHO-4"/>',
      '<property name="outcome:ECHO-4" value="fail"/>',
      '<property name="requirement" value="ECHO-5"/>',
      '<property name="outcome:ECHO-5" value="non-strict"/>',
    ]);
  });

  it('skips an expected failure with its reason, and fails an unexpected pass or an outcome other than the expected one', () => {
    const expected = withExpectation(sampleScenarioOfTwoFailures(), true);
    const fixed = withExpectation(sampleScenario('pass', 'scenarios/echo-ack/server/fixed.yaml'), false);
    const other = withExpectation(sampleScenario('non-strict', 'scenarios/echo-ack/server/other.yaml'), false);
    const run = { ...sampleRun(), scenarios: [expected, fixed, other] };
    const xml = renderJunitReport(run);
    expect(wellFormednessProblems(xml)).toEqual([]);
    const [suites] = openingTags(xml, 'testsuites');
    expect([attr(suites!, 'tests'), attr(suites!, 'failures'), attr(suites!, 'errors'), attr(suites!, 'skipped')]).toEqual(['3', '2', '0', '1']);
    const caseOf = (name: string) => xml.slice(xml.indexOf(`name="${name}`), xml.indexOf('</testcase>', xml.indexOf(`name="${name}`)));
    expect(caseOf('two.yaml')).toContain('<skipped message="expected fail: known bug: truncates long reads (https://example.org/issues/7)"/>');
    expect(caseOf('two.yaml')).toContain('<system-out>expected fail: known bug: truncates long reads (https://example.org/issues/7); entry expectations/python.yaml:4\nfailure 1 of 2:');
    expect(caseOf('two.yaml')).not.toContain('<failure');
    expect(caseOf('fixed.yaml')).toContain(
      '<failure message="passed, but expectations/python.yaml:4 expects fail (known bug: truncates long reads (https://example.org/issues/7)): the deviation is gone, remove the entry" type="unexpected-pass">unexpected: passed, but',
    );
    expect(caseOf('other.yaml')).toContain('<failure message="non-strict is not what expectations/python.yaml:4 expects: fail (known bug: truncates long reads (https://example.org/issues/7)); update the entry" type="unexpected-outcome">');
    expect(caseOf('other.yaml')).toContain('<system-out>warning: a SHOULD requirement was not met');
    // In a strict run the unmet SHOULD is a failure of its own, and says so first.
    const strict = renderJunitReport({ ...run, strict: true });
    expect(strict.slice(strict.indexOf('name="other.yaml'))).toMatch(/<failure message="expected &quot;hello\\n&quot;[^>]*type="mismatch">unexpected: non-strict is not what/);
    expect(classifyForJunit(expected, false)).toBe('skipped');
    expect(classifyForJunit(fixed, false)).toBe('failure');
    expect(classifyForJunit(withExpectation(sampleScenario('error'), false), false)).toBe('error');
  });

  it('classifies outcomes and splits paths', () => {
    expect(classifyForJunit(sampleScenario('info'), true)).toBe('passed');
    expect(classifyForJunit(sampleScenario('non-strict'), false)).toBe('passed');
    expect(classifyForJunit(sampleScenario('non-strict'), true)).toBe('failure');
    expect(splitScenarioPath('a/b/c.yaml')).toEqual({ folder: 'a/b', name: 'c.yaml' });
    expect(splitScenarioPath('a\\c.yaml')).toEqual({ folder: 'a', name: 'c.yaml' });
    expect(splitScenarioPath('c.yaml')).toEqual({ folder: '.', name: 'c.yaml' });
  });
});
