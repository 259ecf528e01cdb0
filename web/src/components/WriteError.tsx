import { HttpError } from '../api.ts';
import { describeApiError } from '../incident-data.ts';

/** Why a write was refused, in the server's words (status, message, details such as the allowed moves). */
export function WriteError({ error, testId = 'write-error' }: { error: unknown; testId?: string }) {
  if (!error) return null;
  const text =
    error instanceof HttpError
      ? describeApiError(error.status, error.message, error.body)
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <span className="notice-error small write-error" role="alert" data-testid={testId}>
      {text}
    </span>
  );
}
