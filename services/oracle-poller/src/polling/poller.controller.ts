import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import { ulid } from '@mlc/platform-kafka';
import { LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { TenantDirectory } from '@mlc/tenancy';
import type { Feed } from './feed';
import { FeedRegistry } from './feed.registry';
import { FeedRunner } from './feed-runner';
import { OperatorKeyGuard } from './operator-key.guard';
import { PollScheduler } from './poll.scheduler';
import { PollStateRepository } from './poll-state.repository';

/** Operator endpoints: status, backfill from a date, and "sync this record now". */
@Controller('poller/tenants/:tenantId')
@UseGuards(OperatorKeyGuard)
export class PollerController {
  constructor(
    private readonly registry: FeedRegistry,
    private readonly runner: FeedRunner,
    private readonly scheduler: PollScheduler,
    private readonly repo: PollStateRepository,
    private readonly directory: TenantDirectory,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Get('status')
  async status(@Param('tenantId') tenantId: string) {
    await this.tenant(tenantId);
    const stored = await this.repo.states(tenantId);
    const live = this.scheduler.status(tenantId);
    return {
      tenantId,
      feeds: this.registry.all().map((f) => {
        const s = stored.find((x) => x.feed === f.name);
        return {
          feed: f.name,
          cursor: s?.cursorText ?? null,
          backfillFrom: s?.backfillFromMs != null ? new Date(s.backfillFromMs).toISOString() : null,
          lastSuccessAt: s?.lastSuccessAt?.toISOString() ?? null,
          consecutiveFailures: s?.consecutiveFailures ?? 0,
          lastError: s?.lastErrorCode ? { code: s.lastErrorCode, message: s.lastErrorMessage } : null,
          emittedTotal: s?.emittedTotal ?? 0,
          ...live[f.name],
        };
      }),
    };
  }

  /** Re-reads from `since` (ISO date or datetime) at the next poll; records already emitted at their LastUpdateDate are dropped. */
  @Post('backfill')
  @HttpCode(202)
  async backfill(@Param('tenantId') tenantId: string, @Body() body: unknown) {
    await this.tenant(tenantId);
    const b = (body ?? {}) as { since?: unknown; feeds?: unknown };
    const sinceMs = typeof b.since === 'string' ? Date.parse(b.since) : NaN;
    if (Number.isNaN(sinceMs)) throw new BadRequestException('since must be an ISO-8601 date or datetime');
    if (sinceMs > Date.now()) throw new BadRequestException('since must not be in the future');
    const names = b.feeds === undefined ? this.registry.all().map((f) => f.name) : b.feeds;
    if (!Array.isArray(names) || !names.length || names.some((n) => typeof n !== 'string' || !this.registry.get(n))) {
      throw new BadRequestException(
        `feeds must be a non-empty list of: ${this.registry
          .all()
          .map((f) => f.name)
          .join(', ')}`,
      );
    }
    const requestId = ulid();
    for (const name of names as string[]) {
      await this.repo.requestBackfill(tenantId, name, sinceMs, requestId);
      this.scheduler.wake(tenantId, name);
    }
    this.log.info('backfill requested', { tenantId, since: new Date(sinceMs).toISOString(), feeds: names, requestId });
    return { tenantId, since: new Date(sinceMs).toISOString(), feeds: names, requestId };
  }

  /** Progress of a backfill request per feed: done or not, records read and emitted so far, duration, last error. */
  @Get('backfill/:requestId')
  async backfillProgress(@Param('tenantId') tenantId: string, @Param('requestId') requestId: string) {
    await this.tenant(tenantId);
    const progress = await this.repo.backfillProgress(tenantId, requestId);
    if (!progress) throw new NotFoundException(`no backfill request ${requestId} for tenant ${tenantId}`);
    return progress;
  }

  /** Reads one record from Fusion now and emits it unless already emitted at that LastUpdateDate (`?force=true` re-emits). */
  @Post(':feed/:id/sync')
  async sync(@Param('tenantId') tenantId: string, @Param('feed') feedName: string, @Param('id') id: string, @Query('force') force?: string) {
    await this.tenant(tenantId);
    const feed: Feed | undefined = this.registry.get(feedName);
    if (!feed)
      throw new NotFoundException(
        `unknown feed ${feedName}; one of: ${this.registry
          .all()
          .map((f) => f.name)
          .join(', ')}`,
      );
    if (!/^[\w.-]{1,64}$/.test(id)) throw new BadRequestException('id must be a Fusion record id');
    try {
      return await this.runner.syncOne(tenantId, feed, id, force === 'true' || force === '1');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'FUSION.NOT_FOUND') throw new NotFoundException(`${feedName} ${id} was not found in Fusion`);
      if (err.code === 'POLLER.BUSY') throw new ConflictException(err.message);
      if (err.code === 'TENANT.NO_CONNECTION') throw new ConflictException(err.message);
      throw new ServiceUnavailableException({ code: err.code, message: err.message, retryable: err.retryable });
    }
  }

  private async tenant(tenantId: string): Promise<void> {
    try {
      await this.directory.get(tenantId);
    } catch (err) {
      if (err instanceof AppError && err.code.endsWith('NOT_FOUND')) throw new NotFoundException(`tenant ${tenantId} not found`);
      throw err;
    }
  }
}
