/**
 * The report layer: reporters by name, and the texts they are made of for those who
 * want the same output elsewhere.
 */
export { createReporter, parseReporterSpec, reporterNames, type ReporterName, type ReporterSpec } from './registry.js';
export { ReportError, type Reporter, type ReporterEnv, type ReportStdout, type RunStartInfo } from './reporter.js';
export { formatCounts } from './console-text.js';
export { JSON_SCHEMA_VERSION, renderJsonReport, toJsonReport, type JsonBytes, type JsonRunReport } from './json-report.js';
export { renderJunitReport } from './junit-report.js';
export { renderGithubCommands } from './github-commands.js';
export { renderMarkdownReport } from './markdown-report.js';
export { renderHtmlReport, scenarioAnchor } from './html-report.js';
