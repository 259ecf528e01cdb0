import type { AlertTransition, SloDefinition } from '../slo/model.ts';

/** One alert in Alertmanager's `POST /api/v2/alerts` format. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

interface Firing {
  url: string;
  alert: AlertmanagerAlert;
}

export interface NotifierOptions {
  /** Used for SLOs whose alerting config names no Alertmanager. */
  defaultUrl?: string;
  /** Firing alerts are re-sent this often, as Alertmanager expects (Prometheus does the same). */
  resendEveryMs?: number;
  /** Link back to Ballast in each alert. */
  externalUrl?: string;
  onError?: (err: unknown, url: string) => void;
}

/** Builds the alert Alertmanager receives for one SLO severity. */
export function toAlertmanagerAlert(
  t: AlertTransition,
  def: SloDefinition | undefined,
  externalUrl: string | undefined,
): AlertmanagerAlert {
  if (t.source === 'check') return checkAlert(t, externalUrl);
  const burns = Object.entries(t.burnRates)
    .map(([w, r]) => `${w}=${r === null ? 'n/a' : r.toFixed(2)}`)
    .join(' ');
  const alerting = def?.alerting;
  // The same names, labels and annotations as the generated Prometheus rules, so
  // Alertmanager routes an alert alike whichever of the two raised it; the
  // identifying labels always win over the spec's extras.
  const labels: Record<string, string> = {
    ...(def?.labels ?? {}),
    ...(alerting?.labels ?? {}),
    ...(alerting?.severityLabels?.[t.severity] ?? {}),
    alertname: alerting?.alertName ?? 'BallastSLOBurnRate',
    ballast_slo: t.slo,
    service: t.service,
    [alerting?.severityLabel ?? 'severity']: t.severity,
  };
  const alert: AlertmanagerAlert = {
    labels,
    annotations: {
      summary: `${def?.displayName ?? t.slo} is burning its error budget (${t.severity})`,
      description: `${t.reason ?? 'burn rate above the alert threshold'}; burn rates: ${burns}`,
      objective: String(def?.objective ?? ''),
      ...(alerting?.annotations ?? {}),
      ...(alerting?.severityAnnotations?.[t.severity] ?? {}),
    },
    startsAt: new Date(t.at).toISOString(),
  };
  if (externalUrl) alert.generatorURL = `${externalUrl}/slos/${encodeURIComponent(t.slo)}`;
  return alert;
}

/** A synthetic check that crossed its failure threshold (`slo` holds the check's name). */
function checkAlert(t: AlertTransition, externalUrl: string | undefined): AlertmanagerAlert {
  const alert: AlertmanagerAlert = {
    labels: {
      alertname: 'BallastCheckFailing',
      ballast_check: t.slo,
      service: t.service,
      severity: t.severity,
    },
    annotations: {
      summary: `check ${t.slo} of ${t.service} is failing`,
      description: t.reason ?? 'the check failed its conditions',
    },
    startsAt: new Date(t.at).toISOString(),
  };
  if (externalUrl) alert.generatorURL = `${externalUrl}/checks/${encodeURIComponent(t.slo)}`;
  return alert;
}

/** Identifies one alert: source, name and severity. */
const alertKey = (t: AlertTransition) => `${t.source ?? 'slo'}\u0000${t.slo}\u0000${t.severity}`;

/**
 * Posts SLO and check alert transitions to Alertmanager's v2 API. Firing alerts are
 * re-sent every `resendEveryMs` with an `endsAt` a few resends ahead, so
 * Alertmanager keeps them while Ballast runs and resolves them on its own if
 * Ballast stops; a transition away from firing is sent with `endsAt` = now.
 */
export class AlertmanagerNotifier {
  readonly #firing = new Map<string, Firing>();
  readonly #opts: NotifierOptions;
  readonly #resendMs: number;
  #lastResend = 0;

  constructor(opts: NotifierOptions) {
    this.#opts = opts;
    this.#resendMs = opts.resendEveryMs ?? 60_000;
  }

  #urlFor(def: SloDefinition | undefined): string | undefined {
    return def?.alerting.alertmanagerUrl ?? this.#opts.defaultUrl;
  }

  /** Handles one transition; resolves once Alertmanager answered (errors go to onError). */
  async notify(t: AlertTransition, def: SloDefinition | undefined, now: number): Promise<void> {
    const url = this.#urlFor(def);
    const key = alertKey(t);
    if (!url) return;
    if (t.to === 'firing') {
      const alert = toAlertmanagerAlert(t, def, this.#opts.externalUrl);
      alert.endsAt = new Date(now + 4 * this.#resendMs).toISOString();
      this.#firing.set(key, { url, alert });
      await this.#post(url, [alert]);
      return;
    }
    const was = this.#firing.get(key);
    if (t.from !== 'firing' && !was) return;
    this.#firing.delete(key);
    const alert = was?.alert ?? toAlertmanagerAlert(t, def, this.#opts.externalUrl);
    await this.#post(was?.url ?? url, [{ ...alert, endsAt: new Date(now).toISOString() }]);
  }

  /** Tracks a firing alert without posting it now (after a restart); the next resend posts it. */
  adopt(t: AlertTransition, def: SloDefinition | undefined, now: number): void {
    const url = this.#urlFor(def);
    if (!url) return;
    const alert = toAlertmanagerAlert(t, def, this.#opts.externalUrl);
    alert.endsAt = new Date(now + 4 * this.#resendMs).toISOString();
    this.#firing.set(alertKey(t), { url, alert });
    this.#lastResend = 0;
  }

  /** Re-sends every firing alert when the resend interval has passed. */
  async resendDue(now: number): Promise<void> {
    if (now - this.#lastResend < this.#resendMs || this.#firing.size === 0) return;
    this.#lastResend = now;
    const byUrl = new Map<string, AlertmanagerAlert[]>();
    for (const f of this.#firing.values()) {
      f.alert.endsAt = new Date(now + 4 * this.#resendMs).toISOString();
      byUrl.set(f.url, [...(byUrl.get(f.url) ?? []), f.alert]);
    }
    await Promise.all([...byUrl].map(([url, alerts]) => this.#post(url, alerts)));
  }

  /** Number of alerts currently firing towards some Alertmanager. */
  get firingCount(): number {
    return this.#firing.size;
  }

  async #post(base: string, alerts: AlertmanagerAlert[]): Promise<void> {
    const url = `${base.replace(/\/+$/, '')}/api/v2/alerts`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`Alertmanager answered ${res.status}: ${await res.text()}`);
      await res.body?.cancel().catch(() => {});
    } catch (err) {
      this.#opts.onError?.(err, url);
    }
  }
}
