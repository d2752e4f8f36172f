import type { Pool } from 'pg';

/** Remembers which event ids a consumer group has handled, so a redelivered event has no second effect. */
export interface ProcessedEventStore {
  seen(group: string, eventId: string): Promise<boolean>;
  mark(group: string, eventId: string): Promise<void>;
}

/** Postgres-backed store over `processed_events` (created by the platform's migration, never at run time). */
export class PgProcessedEventStore implements ProcessedEventStore {
  constructor(private readonly pool: Pool) {}

  async seen(group: string, eventId: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM processed_events WHERE consumer_group = $1 AND event_id = $2', [group, eventId]);
    return (r.rowCount ?? 0) > 0;
  }

  async mark(group: string, eventId: string): Promise<void> {
    await this.pool.query('INSERT INTO processed_events (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [group, eventId]);
  }
}
