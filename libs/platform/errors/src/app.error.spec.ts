import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toAppError } from './app.error';

/** An error as node-postgres throws it: a DatabaseError carries the SQLSTATE in `code`. */
function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

// A PostgreSQL restart or failover ends every session: what a handler then throws must be retried, not parked as
// unexpected (the chaos run's PostgreSQL restart parked records that a second later would have gone through).
describe('toAppError: PostgreSQL going away is transient', () => {
  it('the server ending or refusing sessions, connection exceptions, too many connections, serialization and deadlock: retryable', () => {
    for (const [message, code] of [
      ['terminating connection due to administrator command', '57P01'],
      ['terminating connection because of crash of another server process', '57P02'],
      ['the database system is starting up', '57P03'],
      ['the database system is shutting down', '57P03'],
      ['connection failure', '08006'],
      ['sorry, too many clients already', '53300'],
      ['could not serialize access due to concurrent update', '40001'],
      ['deadlock detected', '40P01'],
    ] as const) {
      const e = toAppError(pgError(message, code));
      assert.deepEqual([e.code, e.retryable], ['CONNECTION', true], `${code} ${message}`);
    }
  });

  it("node-postgres' own connection-loss errors (no SQLSTATE): retryable", () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated',
      'Client has encountered a connection error and is not queryable',
      'Client was closed and is not queryable',
      'timeout exceeded when trying to connect',
    ]) {
      assert.equal(toAppError(pgError(message)).retryable, true, message);
    }
  });

  it('errors in the statement or the data stay unexpected and are not retried', () => {
    for (const [message, code] of [
      ['duplicate key value violates unique constraint "x_pkey"', '23505'],
      ['relation "nope" does not exist', '42P01'],
      ['invalid input syntax for type integer: "a"', '22P02'],
    ] as const) {
      const e = toAppError(pgError(message, code));
      assert.deepEqual([e.code, e.retryable], ['UNEXPECTED', false], `${code} ${message}`);
    }
    assert.equal(toAppError(new TypeError("Cannot read properties of undefined (reading 'id')")).retryable, false);
  });
});
