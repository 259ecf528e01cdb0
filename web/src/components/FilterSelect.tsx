import { useMemo } from 'react';
import { useServices } from '../queries.ts';

/**
 * One filter of a list page: a labelled select whose first choice, `any`, is no
 * filter (the value `undefined`).
 */
export function FilterSelect<V extends string>(props: {
  label: string;
  testId: string;
  value: V | undefined;
  options: readonly V[];
  /** What an option reads as; the value itself by default. */
  labelOf?: (value: V) => string;
  onChange: (value: V | undefined) => void;
}) {
  const { label, testId, value, options, labelOf, onChange } = props;
  return (
    <label>
      {label}{' '}
      <select
        data-testid={testId}
        value={value ?? ''}
        onChange={(e) => onChange((e.target.value || undefined) as V | undefined)}
      >
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {labelOf ? labelOf(o) : o}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The services a list can be filtered by: those of the specs, plus any the
 * listed items name that no spec does (an alert's label, a service since
 * removed), plus the one selected now. Sorted.
 */
export function useServiceNames(named: Iterable<string | undefined>, selected: string | undefined): string[] {
  const services = useServices();
  const extra = [...named, selected].filter((s): s is string => Boolean(s));
  const key = extra.join('\u0000');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `extra`, rebuilt each render
  return useMemo(() => {
    const set = new Set<string>((services.data ?? []).map((s) => s.name));
    for (const s of extra) set.add(s);
    return [...set].sort();
  }, [services.data, key]);
}
