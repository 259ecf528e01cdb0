/**
 * Load-test reporters: the self-contained HTML report and the terminal
 * summary. Both read only the stable `LoadSummary`.
 */
export { escapeHtml, formatMs, renderHtmlReport } from './html.ts';
export { renderTextSummary } from './text.ts';
