import type { ReactNode } from 'react';

/** A titled panel around one chart, as every chart page uses. */
export function ChartCard({ title, hint, children }: { title: string; hint: string; children: ReactNode }) {
  return (
    <section className="panel chart-card">
      <header className="panel-head">
        <h3>{title}</h3>
        <span className="muted small">{hint}</span>
      </header>
      {children}
    </section>
  );
}
