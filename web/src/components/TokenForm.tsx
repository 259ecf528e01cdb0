import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { getToken, setToken } from '../api.ts';

/**
 * Asks for an API token (stored in localStorage as `ballast.token`) and
 * refetches everything with it.
 */
export function TokenForm({ onDone }: { onDone?: () => void }) {
  const client = useQueryClient();
  const [value, setValue] = useState(getToken() ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setToken(value);
    void client.invalidateQueries();
    onDone?.();
  };
  return (
    <form className="token-form" onSubmit={submit}>
      <label htmlFor="token">API token</label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        placeholder="blst_…"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit">Save</button>
    </form>
  );
}
