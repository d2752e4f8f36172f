import type { Pool } from 'pg';
import { inTransaction } from '@mlc/platform-service';
import { projectBatch, projectEvent, type ProjectedEvent, type ProjectionInput } from './projection.writer';

interface Waiting extends ProjectionInput {
  resolve(result: ProjectedEvent): void;
  reject(err: unknown): void;
}

export interface ProjectionBatcherOptions {
  /** Events per transaction at most. */
  maxBatch: number;
  /** Transactions at once (each holds one pooled connection). */
  maxConcurrent: number;
}

/**
 * Events handed in while a batch is being written share the next one: one transaction, multi-row statements
 * (projectBatch). Each caller's promise resolves once the transaction holding its event committed, so the consumer
 * still commits an offset only after its event is in PostgreSQL. A batch that fails is rolled back and its events
 * are written one by one (projectEvent, a transaction each): one bad event fails alone and is retried or parked by
 * the consumer as before, the others go through.
 */
export class ProjectionBatcher {
  private pending: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly pool: Pool,
    private readonly opts: ProjectionBatcherOptions = { maxBatch: 1_000, maxConcurrent: 2 },
  ) {}

  project(input: ProjectionInput): Promise<ProjectedEvent> {
    return new Promise<ProjectedEvent>((resolve, reject) => {
      this.pending.push({ ...input, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running >= this.opts.maxConcurrent || !this.pending.length) return;
    this.running++;
    // Let the events handed in during this turn of the event loop join the batch.
    setImmediate(() => void this.write().finally(() => (this.running--, this.kick())));
  }

  private async write(): Promise<void> {
    const batch = this.pending.splice(0, this.opts.maxBatch);
    if (!batch.length) return;
    let results: ProjectedEvent[];
    try {
      results = await inTransaction(this.pool, (db) => projectBatch(db, batch));
    } catch {
      for (const e of batch) {
        try {
          e.resolve(await inTransaction(this.pool, (db) => projectEvent(db, e.topic, e.value, e.position)));
        } catch (err) {
          e.reject(err);
        }
      }
      return;
    }
    batch.forEach((e, i) => e.resolve(results[i]!));
  }
}
