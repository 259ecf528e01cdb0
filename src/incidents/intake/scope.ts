import { createHash } from 'node:crypto';

/**
 * The part of a dedup key that names the integration: two Alertmanagers (say
 * two clusters), or two PagerDuty senders, use the same keys for different
 * alerts, so those keys are only unique per integration. A hash, because the
 * dedup key is shown to every reader and the integration key is a credential.
 */
export function integrationScope(integration: string): string {
  return createHash('sha256').update(integration).digest('hex').slice(0, 12);
}
