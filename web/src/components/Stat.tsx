import type { ReactNode } from 'react';

/** One figure in a page's header strip: a small label over its value. */
export function Stat(props: {
  label: string;
  children: ReactNode;
  testId?: string;
  /** Takes two columns (a long value). */
  wide?: boolean;
  /** Tabular digits, for numbers that change in place. */
  num?: boolean;
}) {
  const { label, children, testId, wide, num } = props;
  return (
    <div className={wide ? 'stat stat-wide' : 'stat'}>
      <span className="stat-label">{label}</span>
      <span className={num ? 'stat-value num' : 'stat-value'} data-testid={testId}>
        {children}
      </span>
    </div>
  );
}
