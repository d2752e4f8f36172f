import { legacyStep, CREATED_AT_COLUMN, TENANT_ID_COLUMN, UPDATED_AT_COLUMN } from '@mlc/platform-service';

const SQL = `
      CREATE TABLE poller_feed_state (
        ${TENANT_ID_COLUMN},
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
        ${UPDATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, feed)
      );
      -- One row per record: the newest LastUpdateDate emitted for it (a re-read of the same or an older one is dropped).
      CREATE TABLE poller_emitted (
        ${TENANT_ID_COLUMN},
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
        ${TENANT_ID_COLUMN},
        feed text NOT NULL,
        entries jsonb NOT NULL,
        offsets jsonb NOT NULL,
        ${CREATED_AT_COLUMN},
        PRIMARY KEY (tenant_id, feed)
      );`;

/** oracle-poller step 001-feed-state; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class PollerFeedState1767500000000 extends legacyStep('oracle-poller', '001-feed-state', SQL) {}
