/**
 * The static parts of the HTML report: its style sheet and its one script, kept as
 * constants so that the page's Content-Security-Policy can allow exactly these two by
 * their SHA-256 hashes and nothing else. Whatever a program sent and however a
 * rendering went wrong, no other script or style can run in the page.
 *
 * The script only filters, follows deep links and expands: every word of the report
 * is in the HTML, readable without it. Its contract with the markup:
 * - `details.scenario` elements, with `data-outcome`, `data-target` and `data-reqs`
 *   (the covered ids, one per line);
 * - controls `#filters input[name=outcome]`, `#f-req`, `#f-target`, `#f-clear`,
 *   `#f-open`, `#f-close`, and `#f-shown` for the count;
 * - the state lives in the URL's fragment: `outcome=fail,error&req=ID&target=NAME`,
 *   and an element id (`s-…`) that is shown and opened whatever the filters say.
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #5b636e; --line: #d5d9de; --soft: #f3f5f7;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --info: #0969da; --gray: #6e7781; --error: #8250df; --mark: #ffd33d66; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d; --soft: #161b22;
  --pass: #3fb950; --fail: #f85149; --warn: #d29922; --info: #58a6ff; --gray: #8b949e; --error: #bc8cff; --mark: #bb800966; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, section, main { padding: 0 1.25rem; }
h1 { font-size: 1.35rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: .95rem; margin: 1rem 0 .35rem; }
a { color: var(--info); }
code, pre, .pre, .mono, .data, .hex { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre, .pre { margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.muted, .about { color: var(--muted); }
.counts a { margin-right: .75rem; text-decoration: none; }
.banner { border-left: 4px solid var(--fail); padding: .25rem .75rem; background: var(--soft); }
.filters { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  padding: .5rem 1.25rem; background: var(--soft); border-bottom: 1px solid var(--line); }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .15rem .6rem; }
.filters legend { float: left; margin-right: .4rem; font-weight: 600; }
.filters select { max-width: 16rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
.matrix-wrap, .timeline-wrap { overflow-x: auto; max-width: 100%; }
.matrix td.text { color: var(--muted); max-width: 28rem; overflow-wrap: anywhere; }
.matrix td.cell { white-space: nowrap; }
.matrix tr.uncovered { opacity: .55; }
.matrix a.more { font-size: 11px; margin-left: .3rem; color: var(--muted); }
.o-pass { color: var(--pass); } .o-fail { color: var(--fail); } .o-non-strict { color: var(--warn); } .o-info { color: var(--info); }
.o-not-run, .o-skip, .o-uncovered { color: var(--gray); } .o-error { color: var(--error); }
.badge { display: inline-block; min-width: 5.5em; font-weight: 600; }
details.scenario { border: 1px solid var(--line); border-left-width: 4px; border-radius: 4px; margin: .4rem 0; }
details.scenario[data-outcome=fail] { border-left-color: var(--fail); } details.scenario[data-outcome=pass] { border-left-color: var(--pass); }
details.scenario[data-outcome=non-strict] { border-left-color: var(--warn); } details.scenario[data-outcome=error] { border-left-color: var(--error); }
details.scenario[data-outcome=info] { border-left-color: var(--info); }
.expectation { border-left: 3px solid var(--gray); padding: .25rem .6rem; } .expectation.met { border-left-color: var(--pass); } .expectation.unmet { border-left-color: var(--fail); }
details.scenario.pinned { outline: 2px solid var(--info); }
details.scenario > summary { cursor: pointer; padding: .35rem .6rem; list-style-position: outside; overflow-wrap: anywhere; color: var(--fg); }
details.scenario > summary .why { color: var(--muted); }
.body { padding: 0 .75rem .75rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .4rem 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.failure { border: 1px solid var(--line); border-left: 3px solid var(--fail); padding: .35rem .6rem; margin: .5rem 0; }
.failure.f-non-strict { border-left-color: var(--warn); } .failure.f-info { border-left-color: var(--info); } .failure.f-error { border-left-color: var(--error); }
.failure .code { font-weight: 600; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
@media (max-width: 900px) { .sides { grid-template-columns: 1fr; } }
.side { min-width: 0; }
.side h4 { margin: .3rem 0 .15rem; font-size: .85rem; color: var(--muted); font-weight: 600; }
.data, .hex { white-space: pre-wrap; overflow-wrap: anywhere; } .data { word-break: break-all; }
[id] { scroll-margin-top: 4.5rem; }
.bytes { background: var(--soft); padding: .25rem .4rem; border-radius: 3px; margin: .15rem 0; }
mark { background: var(--mark); color: inherit; outline: 1px solid var(--warn); }
mark.end::after { content: "(end)"; font-style: italic; color: var(--muted); }
.cut { color: var(--muted); font-style: italic; }
table.steps tr.fail td { background: color-mix(in srgb, var(--fail) 10%, transparent); }
table.timeline { table-layout: fixed; width: 100%; min-width: 40rem; }
table.timeline col.t { width: 5.5rem; }
table.timeline td.t { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
table.timeline td.ev { overflow-wrap: anywhere; }
table.timeline td.span { background: var(--soft); }
.kind { font-weight: 600; margin-right: .35rem; }
.k-send .kind { color: var(--info); } .k-recv .kind { color: var(--pass); } .k-reset .kind, .k-error .kind, .k-stderr .kind { color: var(--fail); }
.k-shutdown .kind, .k-close .kind, .k-eof .kind, .k-exit .kind { color: var(--warn); } .k-stdin .kind { color: var(--error); }
.k-elided td.span { font-style: italic; }
.detail { color: var(--muted); overflow-wrap: anywhere; }
details.more > summary { cursor: pointer; color: var(--info); font-size: 12px; }
ul.plain { margin: .25rem 0; padding-left: 1.25rem; }
`;

export const SCRIPT = `
(function () {
  'use strict';
  var list = function (q) { return Array.prototype.slice.call(document.querySelectorAll(q)); };
  var scenarios = list('details.scenario');
  var boxes = list('#filters input[name=outcome]');
  var req = document.getElementById('f-req');
  var target = document.getElementById('f-target');
  var shown = document.getElementById('f-shown');
  var optionValues = function (select) { return Array.prototype.map.call(select.options, function (o) { return o.value; }); };
  var decode = function (s) { try { return decodeURIComponent(s); } catch (e) { return ''; } };
  function parse(hash) {
    var state = { outcome: [], req: '', target: '', anchor: '' };
    hash.replace(/^#/, '').split('&').forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf('=');
      if (eq < 0) { state.anchor = decode(part); return; }
      var key = part.slice(0, eq), value = decode(part.slice(eq + 1));
      if (key === 'outcome') state.outcome = value ? value.split(',') : [];
      else if (key === 'req') state.req = value;
      else if (key === 'target') state.target = value;
    });
    return state;
  }
  function format(state) {
    var parts = [];
    if (state.outcome.length) parts.push('outcome=' + state.outcome.map(encodeURIComponent).join(','));
    if (state.req) parts.push('req=' + encodeURIComponent(state.req));
    if (state.target) parts.push('target=' + encodeURIComponent(state.target));
    if (state.anchor) parts.push(encodeURIComponent(state.anchor));
    return parts.join('&');
  }
  var now = parse(location.hash);
  function apply(state) {
    now = state;
    boxes.forEach(function (b) { b.checked = state.outcome.indexOf(b.value) >= 0; });
    req.value = optionValues(req).indexOf(state.req) >= 0 ? state.req : '';
    target.value = optionValues(target).indexOf(state.target) >= 0 ? state.target : '';
    var anchored = state.anchor ? document.getElementById(state.anchor) : null;
    var pinned = anchored && anchored.closest ? anchored.closest('details.scenario') : null;
    var count = 0;
    scenarios.forEach(function (el) {
      var ok = (!state.outcome.length || state.outcome.indexOf(el.getAttribute('data-outcome')) >= 0) &&
        (!state.req || el.getAttribute('data-reqs').split('\\n').indexOf(state.req) >= 0) &&
        (!state.target || el.getAttribute('data-target') === state.target);
      el.hidden = !ok && el !== pinned;
      el.classList.toggle('pinned', el === pinned);
      if (!el.hidden) count++;
    });
    shown.textContent = count + ' of ' + scenarios.length + ' scenario' + (scenarios.length === 1 ? '' : 's') + ' shown';
    if (anchored) {
      for (var d = anchored; d; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;
      anchored.scrollIntoView();
    }
  }
  function go(state, push) {
    var hash = '#' + format(state);
    if (location.hash !== hash) {
      try { history[push ? 'pushState' : 'replaceState'](null, '', hash); } catch (e) { location.hash = hash; return; }
    }
    apply(state);
  }
  function fromControls() {
    return { outcome: boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }), req: req.value, target: target.value, anchor: '' };
  }
  boxes.forEach(function (b) { b.addEventListener('change', function () { go(fromControls(), false); }); });
  req.addEventListener('change', function () { go(fromControls(), false); });
  target.addEventListener('change', function () { go(fromControls(), false); });
  document.getElementById('f-clear').addEventListener('click', function () { go({ outcome: [], req: '', target: '', anchor: '' }, false); });
  var openAll = function (open) { scenarios.forEach(function (el) { if (!el.hidden) el.open = open; }); };
  document.getElementById('f-open').addEventListener('click', function () { openAll(true); });
  document.getElementById('f-close').addEventListener('click', function () { openAll(false); });
  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
    if (!a || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var next = parse(a.getAttribute('href'));
    var filtering = next.outcome.length || next.req || next.target;
    // A link to a scenario keeps the filters; a filter link sets them and shows the list.
    if (!filtering) next = { outcome: now.outcome, req: now.req, target: now.target, anchor: next.anchor };
    ev.preventDefault();
    go(next, true);
    if (filtering && !next.anchor) document.getElementById('scenarios').scrollIntoView();
  });
  window.addEventListener('popstate', function () { apply(parse(location.hash)); });
  window.addEventListener('hashchange', function () { apply(parse(location.hash)); });
  apply(now);
})();
`;

/** The `sha256-…` source expression of `text`, as a Content-Security-Policy names an inline element by it. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page's policy: nothing from anywhere (no network, no frames, no forms, no base),
 * only our own style and script by hash, images only inline as `data:` (none today).
 */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; script-src ${cspHash(SCRIPT)}; style-src ${cspHash(STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`;
