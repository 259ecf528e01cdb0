import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { getToken } from '../api.ts';
import { useLiveUpdates } from '../queries.ts';
import { TokenForm } from './TokenForm.tsx';

const LIVE_TEXT = { live: 'live', connecting: 'connecting', offline: 'polling' } as const;

/** The page frame: top bar with navigation, live-stream state and the token control. */
export function Layout({ children }: { children: ReactNode }) {
  const live = useLiveUpdates();
  const [tokenOpen, setTokenOpen] = useState(false);
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Ballast
        </Link>
        <nav>
          <Link to="/">Services</Link>
          <Link to="/checks">Checks</Link>
          <Link to="/incidents">Incidents</Link>
          <Link to="/oncall">On call</Link>
          <Link to="/load">Load tests</Link>
          <Link to="/chaos">Chaos</Link>
        </nav>
        <div className="topbar-right">
          <span className={`live live-${live}`} title="Server-sent events from /api/v1/events">
            <span className="live-dot" />
            {LIVE_TEXT[live]}
          </span>
          <button type="button" className="ghost" onClick={() => setTokenOpen((o) => !o)}>
            {getToken() ? 'Token ✓' : 'Set token'}
          </button>
        </div>
        {tokenOpen && (
          <div className="token-popover">
            <TokenForm onDone={() => setTokenOpen(false)} />
          </div>
        )}
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
