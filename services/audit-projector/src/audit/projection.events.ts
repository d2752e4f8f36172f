import { Injectable } from '@nestjs/common';

export type ProjectionNotice =
  | { kind: 'new-exception-kind'; tenantId: string; category: string; code: string; exceptionId: string; occurredAt: number }
  | { kind: 'flow-changed'; tenantId: string; partner: string; state: string; reason: string; actor: string; occurredAt: number };

/** In-process notices from the projector (the ops alerts listen) and the newest projected event time. */
@Injectable()
export class ProjectionEvents {
  private readonly listeners: Array<(n: ProjectionNotice) => void> = [];
  /** occurredAt of the newest event projected by this process (0 = none yet). */
  newestProjectedAt = 0;

  on(listener: (n: ProjectionNotice) => void): void {
    this.listeners.push(listener);
  }

  emit(n: ProjectionNotice): void {
    for (const l of this.listeners) l(n);
  }
}
