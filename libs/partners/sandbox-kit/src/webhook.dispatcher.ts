/** One webhook the partner wants to deliver: the exact bytes and the headers (signature included). */
export interface OutgoingWebhook {
  id: string;
  topic: string;
  url: string;
  body: string;
  /** Builds the headers for an attempt (signatures may cover a per-attempt timestamp). */
  headers: (attempt: number) => Record<string, string>;
}

export interface DeliveryAttempt {
  webhookId: string;
  topic: string;
  url: string;
  attempt: number;
  at: string;
  status: number;
  error?: string;
  durationMs: number;
}

export interface DispatcherOptions {
  /** Delays between attempts in real partner seconds (e.g. ShipBob's or Shopify's schedule). */
  retryScheduleSec: number[];
  /** The partner's answer timeout in seconds. */
  timeoutSec: number;
  /** Divides every delay and timeout: 1 = real time; 1000 turns minutes into tens of milliseconds. */
  timeScale: number;
  /**
   * The scaled answer timeout never goes below this. The demo sets the partner's real timeout here, so
   * retries come fast but a receiver is not failed for taking 100 ms. Default 1 000 ms: a loaded test machine must not
   * turn a slow 2xx into a failed delivery.
   */
  minTimeoutMs?: number;
  /** Send every webhook twice (at-least-once delivery, visible). */
  duplicate?: boolean;
  /** Hold webhooks and send each batch in reverse order. */
  reorder?: boolean;
}

/**
 * Delivers webhooks the way partners do: POST the exact body, treat any 2xx within the timeout as delivered,
 * otherwise retry on the partner's schedule (scaled), recording every attempt for assertions.
 */
export class WebhookDispatcher {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly held: OutgoingWebhook[] = [];
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(public options: DispatcherOptions) {}

  send(hook: OutgoingWebhook): void {
    if (this.options.reorder) {
      this.held.push(hook);
      return;
    }
    this.track(this.deliver(hook));
    if (this.options.duplicate) this.track(this.deliver(hook));
  }

  /** Releases held webhooks (when reordering), newest first. */
  flush(): void {
    const batch = this.held.splice(0).reverse();
    for (const hook of batch) {
      this.track(this.deliver(hook));
      if (this.options.duplicate) this.track(this.deliver(hook));
    }
  }

  /** Resolves when every delivery, retries included, has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.closed = true;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(hook: OutgoingWebhook): Promise<void> {
    const { retryScheduleSec, timeoutSec, timeScale } = this.options;
    for (let attempt = 1; attempt <= retryScheduleSec.length + 1 && !this.closed; attempt++) {
      const started = Date.now();
      let status = 0;
      let error: string | undefined;
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...hook.headers(attempt) },
          body: hook.body,
          signal: AbortSignal.timeout(Math.max(this.options.minTimeoutMs ?? 1_000, (timeoutSec * 1000) / timeScale)),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      this.attempts.push({
        webhookId: hook.id,
        topic: hook.topic,
        url: hook.url,
        attempt,
        at: new Date().toISOString(),
        status,
        error,
        durationMs: Date.now() - started,
      });
      if (status >= 200 && status < 300) return;
      const delaySec = retryScheduleSec[attempt - 1];
      if (delaySec === undefined) return;
      await new Promise((r) => setTimeout(r, (delaySec * 1000) / timeScale));
    }
  }
}
