/**
 * The public status page as one self-contained HTML document (no script, no
 * external asset), so it loads fast, works without JavaScript and can be
 * cached by a CDN. It refreshes itself every minute.
 */
import type { ComponentStatus, StatusPage, UptimeDay } from './page.ts';

const LABEL: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

const COLOR: Record<ComponentStatus, string> = {
  operational: '#2f9e44',
  degraded_performance: '#f08c00',
  partial_outage: '#e8590c',
  major_outage: '#c92a2a',
  under_maintenance: '#1c7ed6',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function dayColor(d: UptimeDay): string {
  if (d.uptime === null) return '#dee2e6';
  if (d.uptime >= 0.999) return COLOR.operational;
  if (d.uptime >= 0.99) return '#94d82d';
  if (d.uptime >= 0.95) return COLOR.degraded_performance;
  return COLOR.major_outage;
}

const pct = (x: number | null) => (x === null ? 'no data' : `${(x * 100).toFixed(2)}%`);

function bars(days: UptimeDay[]): string {
  if (days.length === 0) return '';
  const cells = days
    .map((d) => {
      const title = `${d.date}: ${d.uptime === null ? 'no data' : `${pct(d.uptime)} (${d.fail} failed of ${d.total})`}`;
      return `<span class="bar" style="background:${dayColor(d)}" title="${escapeHtml(title)}"></span>`;
    })
    .join('');
  return `<div class="bars" role="img" aria-label="daily uptime, oldest first">${cells}</div>`;
}

/** Renders a status page. */
export function renderStatusHtml(page: StatusPage): string {
  const overall = page.status;
  const components = page.components
    .map(
      (c) => `<li class="component">
  <div class="row"><span class="name">${escapeHtml(c.displayName)}</span>
  <span class="status" style="color:${COLOR[c.status]}" data-status="${c.status}">${LABEL[c.status]}${c.maintenanceUntil !== undefined ? ` until <time>${new Date(c.maintenanceUntil).toISOString()}</time>` : ''}</span></div>
  ${c.description ? `<div class="desc">${escapeHtml(c.description)}</div>` : ''}
  ${bars(c.uptime.days)}
  ${c.uptime.days.length ? `<div class="legend"><span>${c.uptime.days.length} days ago</span><span>${pct(c.uptime.ratio)} uptime</span><span>today</span></div>` : ''}
</li>`,
    )
    .join('\n');
  const incidents = page.incidents.length
    ? `<section><h2>Open incidents</h2>${page.incidents
        .map(
          (i) =>
            `<article class="incident"><h3>${escapeHtml(i.name)} <small>${escapeHtml(i.status)} · ${escapeHtml(i.impact)}</small></h3>${i.notes
              .map((n) => `<p><time>${new Date(n.at).toISOString()}</time> ${escapeHtml(n.body)}</p>`)
              .join('')}</article>`,
        )
        .join('')}</section>`
    : '';
  const worstColor =
    overall.indicator === 'none'
      ? COLOR.operational
      : overall.indicator === 'maintenance'
        ? COLOR.under_maintenance
        : overall.indicator === 'minor'
          ? COLOR.degraded_performance
          : COLOR.major_outage;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>${escapeHtml(page.page.name)} status</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f8f9fa;color:#212529}
main{max-width:860px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 16px}
.banner{color:#fff;padding:14px 18px;border-radius:6px;font-weight:600;margin-bottom:20px}
ul{list-style:none;padding:0;margin:0;background:#fff;border:1px solid #dee2e6;border-radius:6px}
.component{padding:14px 18px;border-top:1px solid #dee2e6}.component:first-child{border-top:0}
.row{display:flex;justify-content:space-between;gap:12px}.name{font-weight:600}
.desc{color:#6c757d;font-size:13px}
.bars{display:flex;gap:2px;margin-top:8px;height:28px}.bar{flex:1;border-radius:2px;min-width:2px}
.legend{display:flex;justify-content:space-between;color:#6c757d;font-size:12px;margin-top:4px}
.incident{background:#fff;border:1px solid #dee2e6;border-radius:6px;padding:12px 18px;margin-bottom:8px}
footer{color:#6c757d;font-size:12px;margin-top:16px}
</style></head>
<body><main>
<h1>${escapeHtml(page.page.name)}</h1>
<div class="banner" style="background:${worstColor}" data-indicator="${overall.indicator}">${escapeHtml(overall.description)}</div>
${incidents}
<ul>
${components}
</ul>
<footer>Updated ${new Date(page.page.updatedAt).toISOString()} · also as <a href="/api/v1/status/${encodeURIComponent(page.page.name)}">JSON</a> · powered by Ballast</footer>
</main></body></html>
`;
}
