/** Styles of the HTML report (inlined; no web fonts so nothing is fetched). */
export const REPORT_CSS = `
:root { --fg: #1f2328; --muted: #6e7781; --line: #d0d7de; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #f6f8fa; }
main { max-width: 1160px; margin: 0 auto; padding: 24px; }
header h1 { font-size: 22px; margin: 0 0 4px; }
.meta, .muted { color: var(--muted); }
h2 { font-size: 15px; margin: 0 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
section.tiles, section.row { background: none; border: 0; padding: 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.row { display: grid; grid-template-columns: 2fr 1fr; gap: 14px; }
.row > div { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid #eaeef2; }
th { color: var(--muted); font-weight: 500; }
.badge { font-size: 12px; padding: 2px 8px; border-radius: 10px; vertical-align: middle; }
.badge.ok { background: #dafbe1; color: var(--ok); }
.badge.bad { background: #ffebe9; color: var(--bad); }
.badge.warn { background: #fff8c5; color: var(--warn); }
.reasons { color: var(--bad); margin: 6px 0 0; }
tr.pass td:first-child { color: var(--ok); font-weight: 600; }
tr.fail td:first-child { color: var(--bad); font-weight: 600; }
.chart { min-height: 280px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin: 20px 0; }
@media (max-width: 800px) { .row { grid-template-columns: 1fr; } }
`;
