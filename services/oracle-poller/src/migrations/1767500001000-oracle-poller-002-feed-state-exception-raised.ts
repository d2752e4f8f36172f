import { legacyStep } from '@mlc/platform-service';

const SQL = `
      -- The error code of the failure streak's exception once it is on Kafka (NULL: none raised in this streak yet).
      -- Kept with the streak, so a raise lost to a crash or a Kafka error is made by the next failed run.
      ALTER TABLE poller_feed_state ADD COLUMN exception_raised_code text;`;

/** oracle-poller step 002-feed-state-exception-raised; a database where the retired `runSqlMigrations` applied it keeps it as it is. */
export class PollerFeedStateExceptionRaised1767500001000 extends legacyStep('oracle-poller', '002-feed-state-exception-raised', SQL) {}
