import { Injectable } from '@nestjs/common';
import { ulid } from '@mlc/platform-kafka';

export interface Job {
  id: string;
  kind: string;
  /** Tenant the job acts for ('_all' for all tenants); a scoped key sees only its tenant's jobs. */
  tenantId: string;
  status: 'running' | 'done' | 'failed';
  total: number | null;
  done: number;
  startedAt: string;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
}

/** Long operations (bulk replay, time-range replay) run in the background; the CLI polls their progress. */
@Injectable()
export class JobsRegistry {
  private readonly jobs = new Map<string, Job>();

  start(kind: string, tenantId: string, run: (job: Job) => Promise<Record<string, unknown>>): Job {
    const job: Job = {
      id: `job_${ulid()}`,
      kind,
      tenantId,
      status: 'running',
      total: null,
      done: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    for (const old of [...this.jobs.values()].slice(0, Math.max(0, this.jobs.size - 200))) this.jobs.delete(old.id);
    void run(job).then(
      (result) => Object.assign(job, { status: 'done', result, finishedAt: new Date().toISOString() }),
      (err: unknown) => Object.assign(job, { status: 'failed', error: (err as Error).message, finishedAt: new Date().toISOString() }),
    );
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }
}
