import type { Pool } from 'pg';

/** Remembers which event ids a consumer group has handled, so a redelivered event has no second effect. */
export interface ProcessedEventStore {
  seen(group: string, eventId: string): Promise<boolean>;
  mark(group: string, eventId: string): Promise<void>;
}

/** Postgres-backed store; the table is created on first use. */
export class PgProcessedEventStore implements ProcessedEventStore {
  private ready: Promise<void> | undefined;

  constructor(private readonly pool: Pool) {}

  private init(): Promise<void> {
    this.ready ??= this.pool
      .query(
        `CREATE TABLE IF NOT EXISTS processed_events (
           consumer_group text NOT NULL,
           event_id text NOT NULL,
           processed_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (consumer_group, event_id))`,
      )
      .then(() => undefined);
    return this.ready;
  }

  async seen(group: string, eventId: string): Promise<boolean> {
    await this.init();
    const r = await this.pool.query('SELECT 1 FROM processed_events WHERE consumer_group = $1 AND event_id = $2', [group, eventId]);
    return (r.rowCount ?? 0) > 0;
  }

  async mark(group: string, eventId: string): Promise<void> {
    await this.init();
    await this.pool.query('INSERT INTO processed_events (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [group, eventId]);
  }
}
