import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `processed_events`, the consumers' de-duplication record (platform-kafka's PgProcessedEventStore). It used to be
 * created on first use, so a database from before this migration may have it already: IF NOT EXISTS keeps that one.
 */
export class ProcessedEvents1767500000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS processed_events (
        consumer_group text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id))`);
    // The retention sweep deletes by age.
    await q.query(`CREATE INDEX IF NOT EXISTS processed_events_processed_at ON processed_events (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processed_events`);
  }
}
