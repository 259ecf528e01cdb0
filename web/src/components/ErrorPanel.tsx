import { HttpError, isAuthError } from '../api.ts';
import { TokenForm } from './TokenForm.tsx';

/** Shows why a request failed; for 401/403 it offers the token form. */
export function ErrorPanel({ error }: { error: unknown }) {
  if (isAuthError(error)) {
    return (
      <div className="panel notice" role="alert">
        <p>This server needs an API token to read. Ask an admin for a viewer token.</p>
        <TokenForm />
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof HttpError ? `HTTP ${error.status}: ` : '';
  return (
    <div className="panel notice notice-error" role="alert">
      {status}
      {message}
    </div>
  );
}
