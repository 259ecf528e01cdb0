/**
 * The slice of luxon's API the SLO engine uses, typed locally because
 * `@types/luxon` is not installed yet. When it is, delete the interfaces and
 * the directive below and re-export `DateTime` directly.
 */
// @ts-expect-error -- luxon ships no types; the lead was asked to add @types/luxon.
import { DateTime as LuxonDateTime } from 'luxon';

/** A luxon DateTime (only the members Ballast calls). */
export interface ZonedDateTime {
  readonly isValid: boolean;
  readonly invalidExplanation: string | null;
  toMillis(): number;
  plus(duration: Partial<Record<'days' | 'weeks' | 'months' | 'quarters' | 'years', number>>): ZonedDateTime;
}

interface DateTimeStatics {
  fromISO(text: string, options: { zone: string }): ZonedDateTime;
}

/** luxon's `DateTime` class, typed by the interfaces above. */
export const DateTime: DateTimeStatics = LuxonDateTime;
