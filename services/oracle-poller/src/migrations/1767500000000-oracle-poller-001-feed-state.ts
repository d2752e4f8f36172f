import { LegacyStepMigration } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE poller_feed_state (
        tenant_id text NOT NULL,
        feed text NOT NULL,
        cursor_ms bigint,
        cursor_text text,
        backfill_from_ms bigint,
        backfill_request text,
        last_run_started_at timestamptz,
        last_run_finished_at timestamptz,
        last_success_at timestamptz,
        consecutive_failures int NOT NULL DEFAULT 0,
        last_error_code text,
        last_error_message text,
        emitted_total bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, feed)
      );
      -- One row per record: the newest LastUpdateDate emitted for it (a re-read of the same or an older one is dropped).
      CREATE TABLE poller_emitted (
        tenant_id text NOT NULL,
        feed text NOT NULL,
        entity_id text NOT NULL,
        last_update_ms bigint NOT NULL,
        last_update_date text NOT NULL,
        event_id text NOT NULL,
        emitted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, feed, entity_id)
      );
      -- A batch handed to Kafka whose acknowledgement is not yet recorded: checked against the topic after a crash.
      CREATE TABLE poller_inflight (
        tenant_id text NOT NULL,
        feed text NOT NULL,
        entries jsonb NOT NULL,
        offsets jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, feed)
      );`;

/** oracle-poller step 001-feed-state; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class PollerFeedState1767500000000 extends LegacyStepMigration {
  protected readonly owner = 'oracle-poller';
  protected readonly step = '001-feed-state';
  protected readonly sql = SQL;
}
