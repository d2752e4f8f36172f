import { legacyStep, TENANT_ID_COLUMN } from '@mlc/platform-service';

const SQL = `
      -- One row per feed of a backfill request: its progress, so the ops API can report it (GET .../backfill/:id).
      CREATE TABLE poller_backfill_requests (
        request_id text NOT NULL,
        ${TENANT_ID_COLUMN},
        feed text NOT NULL,
        since_ms bigint NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        superseded_by text,
        records_read bigint NOT NULL DEFAULT 0,
        emitted bigint NOT NULL DEFAULT 0,
        failures int NOT NULL DEFAULT 0,
        last_error_code text,
        last_error_message text,
        PRIMARY KEY (request_id, feed)
      );
      CREATE INDEX poller_backfill_requests_open ON poller_backfill_requests (tenant_id, feed) WHERE finished_at IS NULL AND superseded_by IS NULL;`;

/** oracle-poller step 003-backfill-requests; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class PollerBackfillRequests1767500002000 extends legacyStep('oracle-poller', '003-backfill-requests', SQL) {}
