/**
 * The HTML report in a real browser: a real failing run through the CLI (a server
 * that answers and prints every byte value, markup and terminal escapes, and the
 * echo-ack suite against the reference and a faulty server, as three targets of one
 * config), then Chromium opens the page from disk and checks the matrix, a filter, a
 * deep link across a reload, the hostile output shown as text with no script of the
 * program's run, and no Content-Security-Policy violation from the page's own script.
 * Screenshots land in reports/html-report.png (the top) and html-report-scenario.png (a failing scenario). Skipped, with a warning, without
 * Chromium (`CHROMIUM_PATH`, else /usr/bin/chromium); browsers are never downloaded.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioAnchor } from '../harness/report/html-report.js';
import { sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`html-report.browser.test: skipped, no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

/** Every wait of the browser is bounded by this. */
const STEP_MS = 10_000;
const SCREENSHOT = join(ROOT, 'reports', 'html-report.png');
const SCENARIO_SCREENSHOT = join(ROOT, 'reports', 'html-report-scenario.png');

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-html-browser-'));
const report = join(tmp, 'index.html');
let url: string;
let browser: Browser | undefined;
let page: Page;
/** Console errors and CSP violations the page reported, and errors its script threw. */
const complaints: string[] = [];

const python = (fixture: string) => `python3 ${join(ROOT, 'fixtures', fixture)} {port}`;
const LARGE = 'scenarios/echo-ack/server/large-payload.yaml';
const HELLO = 'scenarios/echo-ack/server/hello-half-close.yaml';

/** The config: the hostile server on the report fixtures' suite; two echo-ack scenarios against the reference and a server that truncates echoes. */
function config(): string {
  const echo = (file: string) => [
    `  - scenarios: ${JSON.stringify(join(ROOT, file))}`,
    '    targets:',
    `      - { name: reference, server: ${JSON.stringify(python('echo-ack/server/reference.py'))} }`,
    `      - { name: truncates-echo, server: ${JSON.stringify(python('echo-ack/server/truncates-echo.py'))} }`,
  ];
  return [
    'jobs: 4',
    'suites:',
    `  - scenarios: ${JSON.stringify(join(ROOT, 'test/report-fixtures'))}`,
    '    targets:',
    `      - { name: hostile, server: ${JSON.stringify(python('report/hostile-server.py'))} }`,
    ...echo(LARGE),
    ...echo(HELLO),
    '',
  ].join('\n');
}

/** The anchor of a scenario of the run, its id as the CLI names it (absolute file, target). */
const anchorOf = (file: string, target: string) => scenarioAnchor(`${join(ROOT, file)} [${target}]`);

/** Ids and whether they are shown and open, of every scenario element. */
function scenarioStates(p: Page) {
  return p.$$eval('details.scenario', (els) =>
    els.map((el) => {
      const shown = el as unknown as { hidden: boolean; open: boolean };
      return { id: el.id, outcome: el.getAttribute('data-outcome'), hidden: shown.hidden, open: shown.open };
    }),
  );
}

describe.skipIf(!available)('the html report in Chromium', () => {
  beforeAll(async () => {
    writeFileSync(join(tmp, 'sockspec.config.yaml'), config());
    const run = await sockspec(['run', '--reporter', `html=${report}`, '--reporter', `json=${join(tmp, 'results.json')}`], tmp, { limitMs: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    url = pathToFileURL(report).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, timeout: STEP_MS });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(STEP_MS);
    page.setDefaultNavigationTimeout(STEP_MS);
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) complaints.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => complaints.push(`page error: ${e.message}`));
    // Seen before any script of the page runs; added by the browser's own channel, not subject to the page's policy.
    await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });
    await page.goto(url);
  }, 50_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the matrix: a column per target, the faulty server failing ECHO-5 where the reference passes', async () => {
    const heads = await page.$$eval('table.matrix thead th', (ths) => ths.map((th) => th.textContent));
    expect(heads).toEqual(['requirement', 'level', 'text', 'hostile', 'reference', 'truncates-echo']);
    const cell = (req: string, target: string) => page.$eval(`table.matrix tr[data-req="${req}"] td[data-target="${target}"]`, (td) => ({ cls: td.className, text: td.textContent, href: td.querySelector('a')?.getAttribute('href') }));
    expect(await cell('ECHO-5', 'truncates-echo')).toEqual({ cls: 'cell o-fail', text: 'fail2 scenarios', href: `#${anchorOf(LARGE, 'truncates-echo')}` });
    expect((await cell('ECHO-5', 'reference')).cls).toBe('cell o-pass');
    expect((await cell('GREET-1', 'hostile')).cls).toBe('cell o-fail');
    expect((await cell('GREET-2', 'hostile')).cls).toBe('cell o-pass');
    expect(await page.$eval('#uncovered + ul', (ul) => ul.textContent)).toContain('GREET-3');
  });

  it('renders the hostile output as text, and no script of the program runs', async () => {
    const greeting = `#${scenarioAnchor(`${join(ROOT, 'test/report-fixtures/greeting.yaml')} [hostile]`)}`;
    const text = await page.$eval(greeting, (el) => (el as unknown as { innerText: string }).innerText);
    expect(text).toContain('<script>window.__pwned=1</script>');
    expect(text).toContain('</textarea></title></style></script><img src=x onerror=window.__pwned=2>');
    expect(text).toContain(']]><!-- --><![CDATA[ x ]]>');
    expect(text).toContain('\\x1b[31mred\\x1b[0m');
    expect(text).toContain('\\xff\\xfe\\xc3(\\xed\\xa0\\x80');
    // The program's console lane: its stdout and stderr as printed, and the long line cut in view with its size.
    expect(await page.$$eval(`${greeting} tr.k-stderr`, (rows) => rows.map((r) => r.textContent).join('\n'))).toContain('<script>window.__pwned=1</script>');
    expect(text).toMatch(/show the other [\d,]+ bytes/);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.evaluate("({ scripts: document.scripts.length, images: document.images.length, styles: document.querySelectorAll('style').length })")).toEqual({ scripts: 1, images: 0, styles: 1 });
  });

  it('filters by outcome, keeping the filter in the URL across a reload', async () => {
    await page.check('#filters input[name=outcome][value=fail]');
    const shown = (await scenarioStates(page)).filter((s) => !s.hidden);
    expect(shown.map((s) => s.outcome)).toEqual(['fail', 'fail']);
    expect(new URL(page.url()).hash).toBe('#outcome=fail');
    await page.reload();
    expect(await page.isChecked('#filters input[name=outcome][value=fail]')).toBe(true);
    expect((await scenarioStates(page)).filter((s) => !s.hidden)).toHaveLength(2);
    expect(await page.textContent('#f-shown')).toBe('2 of 6 scenarios shown');
    // Failing scenarios open by default, passing ones folded.
    for (const s of await scenarioStates(page)) expect(s.open).toBe(s.outcome === 'fail');
  });

  it('keeps a deep link across a reload: the scenario shown and opened even where the filter hides it', async () => {
    const passing = anchorOf(HELLO, 'reference');
    await page.goto(`${url}#outcome=fail&${passing}`);
    await page.reload();
    const states = await scenarioStates(page);
    expect(states.find((s) => s.id === passing)).toMatchObject({ hidden: false, open: true, outcome: 'pass' });
    expect(states.filter((s) => !s.hidden).map((s) => s.outcome).sort()).toEqual(['fail', 'fail', 'pass']);
    expect(await page.isVisible(`#${passing} table.timeline`)).toBe(true);
    // A plain anchor, as a link in a chat would carry it.
    await page.goto(`${url}#${anchorOf(LARGE, 'reference')}`);
    await page.reload();
    expect((await scenarioStates(page)).find((s) => s.id === anchorOf(LARGE, 'reference'))).toMatchObject({ hidden: false, open: true });
  });

  it('follows a matrix cell to the scenarios behind it, and reports no policy violation nor script error', async () => {
    await page.goto(`${url}#`);
    await page.click('table.matrix tr[data-req="ECHO-5"] td[data-target="truncates-echo"] a.more');
    expect(new URL(page.url()).hash).toBe('#req=ECHO-5&target=truncates-echo');
    expect((await scenarioStates(page)).filter((s) => !s.hidden).map((s) => s.id).sort()).toEqual([anchorOf(LARGE, 'truncates-echo'), anchorOf(HELLO, 'truncates-echo')].sort());
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    // The top of the page as a red run opens on it: the counts, the matrix, the failing scenarios.
    await page.setViewportSize({ width: 1280, height: 1600 });
    await page.goto(`${url}#outcome=fail`);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: SCREENSHOT });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    // And a failing scenario as its deep link opens it: the failure, the bytes and the steps.
    await page.goto(`${url}#${anchorOf(LARGE, 'truncates-echo')}`);
    await page.reload();
    await page.screenshot({ path: SCENARIO_SCREENSHOT });
    expect(readFileSync(SCENARIO_SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    expect(complaints).toEqual([]);
  });
});
