import { Inject, Injectable } from '@nestjs/common';
import type { Admin, GroupDescription, Kafka, KafkaMessage } from 'kafkajs';
import { AppError, sleep } from '@mlc/platform-errors';
import { TOPICS, type TopicName } from '@mlc/contracts';
import { headerString, newMeta, topicName, ulid, type EventPublisher } from '@mlc/platform-kafka';
import { KAFKA, PUBLISHER } from '@mlc/platform-service';
import type { OperatorIdentity } from '@mlc/tenants';
import { AUDIT_PROJECTOR_CONFIG, type AuditProjectorConfig } from '../config/audit-projector.config';
import { REPLAY_HEADERS } from './exceptions.service';
import { JobsRegistry, type Job } from './jobs.registry';
import { ALL_TENANTS, OperatorActionsPublisher } from './operator-actions.publisher';
import { badRequest } from './ops.errors';

/** The flows an operator names, and the topic each one is replayed from (its input: the command or the inbound event). */
export const FLOW_TOPICS: Record<string, TopicName[]> = {
  'purchase-orders': ['erp.purchase-order.changed.v1'],
  'shipbob-orders': ['fulfilment.shipbob-order.requested.v1'],
  shipments: ['shipbob.webhook.received.v1'],
  'po-updates': ['fulfilment.fusion-po-update.requested.v1'],
  shopify: ['shopify.webhook.received.v1'],
  receivables: ['accounting.fusion-receivables.requested.v1'],
};

export interface ReplayRange {
  tenantId?: string;
  flow?: string;
  topics?: string[];
  from: string;
  to: string;
  dryRun?: boolean;
}

export interface OffsetReset {
  groupId: string;
  topics?: string[];
  /** ISO time or epoch ms: each partition moves to the first record at or after it. */
  toTimestamp?: string;
  /** 'earliest', 'latest' or an offset number (every partition). */
  toOffset?: string;
  dryRun?: boolean;
  /**
   * Stop the group's consumers first (ops.consumer-control.requested.v1), wait until the group is Empty, reset, then
   * start them again. Without it an active group is refused.
   */
  stopAndRestart?: boolean;
  /** How long to wait for the group to become Empty after the stop (default 30 s). */
  stopTimeoutMs?: number;
}

/** What a range replay takes (the dry-run preview), or took. */
export interface RangePreview {
  topics: string[];
  from: string;
  to: string;
  tenantId: string | null;
  dryRun: boolean;
  /** Records in [from, to) on the topics, every tenant (by offsets). */
  inRange: number;
  /** Those a replay republishes: the tenant's (or all), not themselves replays. */
  records: number;
  otherTenants: number;
  /** Records in the range that are replays themselves (never replayed again). */
  replays: number;
}

/** One reported step of an offset reset with stop-and-restart. */
export interface ResetStep {
  step: 'stop-requested' | 'group-empty' | 'offsets-reset' | 'start-requested' | 'stop-timed-out' | 'reset-failed';
  at: string;
  detail: string;
}

/** Kafka-level operations: replay a time range by republishing from the log, reset a consumer group's offsets. */
@Injectable()
export class KafkaOpsService {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(AUDIT_PROJECTOR_CONFIG) private readonly config: AuditProjectorConfig,
    private readonly actions: OperatorActionsPublisher,
    private readonly jobs: JobsRegistry,
  ) {}

  private full(t: string): string {
    return topicName(t, this.config.topicSuffix);
  }

  private replayTopics(r: ReplayRange): TopicName[] {
    const topics = r.topics?.length ? r.topics : r.flow ? FLOW_TOPICS[r.flow] : undefined;
    if (!topics) throw badRequest(`give flow (${Object.keys(FLOW_TOPICS).join(', ')}) or topics`);
    for (const t of topics) if (!(t in TOPICS) || t.startsWith('ops.')) throw badRequest(`${t} is not a replayable topic`);
    return topics as TopicName[];
  }

  /**
   * Replays a time range for one tenant (or all) and one flow or topic: the records in [from, to) are read from the log
   * with a separate, throw-away consumer group (live consumers are not disturbed) and republished unchanged (bytes,
   * key, headers + replay marks `mlc-replay-of: range:<job id>`, `mlc-replayed-by`, `mlc-replayed-at`), as the
   * republish of one exception does. The event ids are the originals, so consumers skip what they already handled,
   * and commands carry deterministic idempotency keys: replaying successful records creates nothing new in any partner
   * system. Records that are themselves replays are never replayed again.
   */
  replayRange(r: ReplayRange, who: OperatorIdentity): Job {
    const { topics, from, to } = this.rangeOf(r);
    const tenant = r.tenantId ?? ALL_TENANTS;
    return this.jobs.start('replay-range', tenant, async (job) => {
      const scan = await this.scanRange(r, topics, from, to, {
        onTotal: (n) => (job.total = n),
        onRecord: () => (job.done += 1),
        republish: r.dryRun ? undefined : { replayOf: `range:${job.id}`, actor: who.actor },
      });
      const result = { ...scan, dryRun: !!r.dryRun, republished: scan.records, skippedOtherTenants: scan.otherTenants };
      await this.actions.record(who, tenant, 'replay-range', r.flow ?? topics.join(','), { details: result });
      return result;
    });
  }

  /**
   * The dry-run count of a range replay, answered at once (no job): how many records lie in [from, to) on the topics
   * (by offsets), and how many of them a replay would republish (the tenant's, not themselves replays), read from
   * the log with a throw-away consumer group. Nothing is published or recorded.
   */
  async previewRange(r: ReplayRange): Promise<RangePreview> {
    const { topics, from, to } = this.rangeOf(r);
    const scan = await this.scanRange(r, topics, from, to, {});
    return { ...scan, dryRun: true };
  }

  private rangeOf(r: ReplayRange): { topics: TopicName[]; from: number; to: number } {
    const topics = this.replayTopics(r);
    const from = Date.parse(r.from);
    const to = Date.parse(r.to);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw badRequest('from and to must be ISO-8601 times with from < to');
    return { topics, from, to };
  }

  /** Reads [from, to) of the topics: counts (and with `republish`, republishes) the records a replay takes. */
  private async scanRange(
    r: ReplayRange,
    topics: TopicName[],
    from: number,
    to: number,
    opts: { onTotal?: (n: number) => void; onRecord?: () => void; republish?: { replayOf: string; actor: string } },
  ): Promise<Omit<RangePreview, 'dryRun'>> {
    const admin = this.kafka.admin();
    await admin.connect();
    const plan: Array<{ topic: string; partition: number; start: bigint; end: bigint }> = [];
    try {
      for (const t of topics) {
        const name = this.full(t);
        const starts = await admin.fetchTopicOffsetsByTimestamp(name, from);
        const ends = await admin.fetchTopicOffsetsByTimestamp(name, to);
        const highs = await admin.fetchTopicOffsets(name);
        for (const s of starts) {
          const high = BigInt(highs.find((h) => h.partition === s.partition)?.high ?? '0');
          const e = ends.find((x) => x.partition === s.partition);
          const end = e && BigInt(e.offset) >= 0n ? BigInt(e.offset) : high;
          const start = BigInt(s.offset) >= 0n ? BigInt(s.offset) : high;
          if (end > start) plan.push({ topic: name, partition: s.partition, start, end });
        }
      }
    } finally {
      await admin.disconnect();
    }
    const inRange = Number(plan.reduce((n, p) => n + (p.end - p.start), 0n));
    opts.onTotal?.(inRange);
    let records = 0;
    let otherTenants = 0;
    let replays = 0;
    if (plan.length) {
      const groupId = `audit-projector.replay-${ulid().toLowerCase()}${this.config.groupIdSuffix}`;
      const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false });
      const remaining = new Set(plan.map((p) => `${p.topic}|${p.partition}`));
      let finish!: () => void;
      let fail!: (e: unknown) => void;
      const finished = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [...new Set(plan.map((p) => p.topic))], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const p = plan.find((x) => x.topic === topic && x.partition === partition);
            const off = BigInt(message.offset);
            if (!p || off < p.start || off >= p.end || !remaining.has(`${topic}|${partition}`)) return;
            try {
              const kind = this.kindOf(message, r.tenantId);
              if (kind === 'wanted') {
                if (opts.republish) {
                  await this.publisher.publishRaw(topic, [
                    {
                      key: message.key?.toString() ?? null,
                      value: message.value,
                      headers: {
                        ...(message.headers as Record<string, Buffer | string>),
                        [REPLAY_HEADERS.of]: opts.republish.replayOf,
                        [REPLAY_HEADERS.by]: opts.republish.actor,
                        [REPLAY_HEADERS.at]: new Date().toISOString(),
                      },
                    },
                  ]);
                }
                records += 1;
              } else if (kind === 'replay') replays += 1;
              else otherTenants += 1;
            } catch (err) {
              fail(err);
            }
            opts.onRecord?.();
            if (off + 1n >= p.end) {
              remaining.delete(`${topic}|${partition}`);
              if (!remaining.size) finish();
            }
          },
        });
        for (const p of plan) consumer.seek({ topic: p.topic, partition: p.partition, offset: p.start.toString() });
        const timeout = setTimeout(() => fail(new AppError('OPS.TIMEOUT', 'replay did not reach the end of the range within 10 minutes')), 600_000);
        await finished.finally(() => clearTimeout(timeout));
      } finally {
        await consumer.disconnect().catch(() => undefined);
        const a = this.kafka.admin();
        await a
          .connect()
          .then(() => a.deleteGroups([groupId]))
          .catch(() => undefined)
          .finally(() => void a.disconnect());
      }
    }
    return {
      topics: topics.map((t) => this.full(t)),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      tenantId: r.tenantId ?? null,
      inRange,
      records,
      otherTenants,
      replays,
    };
  }

  /** A record of the tenant (by the mlc-tenant-id header, else its key) that is not itself a replay is 'wanted'. */
  private kindOf(m: KafkaMessage, tenantId?: string): 'wanted' | 'replay' | 'other-tenant' {
    const headers = m.headers as Record<string, Buffer | string | undefined>;
    if (headerString(headers, REPLAY_HEADERS.of)) return 'replay';
    if (!tenantId) return 'wanted';
    const t = headerString(headers, 'mlc-tenant-id') ?? m.key?.toString().split(':')[0];
    return t === tenantId ? 'wanted' : 'other-tenant';
  }

  /**
   * Moves a consumer group's committed offsets. Kafka only allows it while the group has no members: the group is
   * described first and an active group is refused with the members' hosts, so the operator knows what to stop.
   * With `stopAndRestart` the group's consumers are asked to stop (a broadcast every service's ConsumerHost hears),
   * the reset waits until the group is Empty (on timeout a start is sent back and the reset is refused), resets, and
   * asks them to start again; each step is reported (and recorded with the audited operator action).
   */
  async resetOffsets(req: OffsetReset, who: OperatorIdentity): Promise<Record<string, unknown>> {
    if (!req.groupId) throw badRequest('groupId is required');
    if ((req.toTimestamp === undefined) === (req.toOffset === undefined)) throw badRequest('give exactly one of toTimestamp or toOffset');
    const ts = req.toTimestamp !== undefined ? (/^\d+$/.test(req.toTimestamp) ? Number(req.toTimestamp) : Date.parse(req.toTimestamp)) : undefined;
    if (ts !== undefined && !Number.isFinite(ts)) throw badRequest('toTimestamp must be an ISO-8601 time or epoch milliseconds');
    if (req.toOffset !== undefined && !/^(earliest|latest|\d+)$/.test(req.toOffset)) throw badRequest('toOffset must be earliest, latest or a whole number');
    if (req.stopTimeoutMs !== undefined && (!Number.isInteger(req.stopTimeoutMs) || req.stopTimeoutMs < 1_000 || req.stopTimeoutMs > 600_000))
      throw badRequest('stopTimeoutMs must be a whole number of milliseconds between 1000 and 600000');
    const stopAndRestart = !!req.stopAndRestart && !req.dryRun;
    const admin = this.kafka.admin();
    await admin.connect();
    const steps: ResetStep[] = [];
    const step = (s: ResetStep['step'], detail: string) => steps.push({ step: s, at: new Date().toISOString(), detail });
    const requestId = `reset_${ulid()}`;
    let startOwed = false;
    try {
      let g = (await admin.describeGroups([req.groupId])).groups[0];
      if (g && g.state !== 'Empty' && g.state !== 'Dead' && stopAndRestart) {
        await this.control(req.groupId, 'stop', requestId, who);
        startOwed = true;
        step('stop-requested', `asked the ${g.members.length} member(s) of ${req.groupId} to stop after the record in hand`);
        g = await this.waitUntilInactive(admin, req.groupId, req.stopTimeoutMs ?? 30_000);
        if (g && g.state !== 'Empty' && g.state !== 'Dead') {
          step('stop-timed-out', `still ${g.state} after ${req.stopTimeoutMs ?? 30_000} ms`);
          await this.control(req.groupId, 'start', requestId, who);
          startOwed = false;
          step('start-requested', 'asked the stopped members to start again');
          const hosts = [...new Set(g.members.map((m) => `${m.clientId}@${m.clientHost}`))];
          await this.actions.record(who, ALL_TENANTS, 'reset-offsets', req.groupId, {
            details: { toTimestamp: req.toTimestamp, toOffset: req.toOffset, stopAndRestart: true, outcome: 'stop-timed-out', steps },
          });
          throw new AppError(
            'OPS.GROUP_ACTIVE',
            `consumer group "${req.groupId}" did not become inactive within ${req.stopTimeoutMs ?? 30_000} ms after the stop request (state ${g.state}, ${g.members.length} member(s) left: ${hosts.join(', ')}; they may run a version without consumer control, or another topic suffix); nothing was reset and a start was sent back`,
            { details: { state: g.state, members: g.members.length, steps } },
          );
        }
        step('group-empty', `${req.groupId} is ${g?.state ?? 'Dead'}`);
      }
      if (g && g.state !== 'Empty' && g.state !== 'Dead') {
        const hosts = [...new Set(g.members.map((m) => `${m.clientId}@${m.clientHost}`))];
        throw new AppError(
          'OPS.GROUP_ACTIVE',
          `consumer group "${req.groupId}" is active (state ${g.state}, ${g.members.length} member(s): ${hosts.join(', ')}); Kafka only moves the offsets of an inactive group: stop the service consuming with it (or scale it to 0), run the reset again, then start it; or let the ops API do that: stopAndRestart (CLI: --stop-and-restart)`,
          { details: { state: g.state, members: g.members.length } },
        );
      }
      const topics = req.topics?.length ? req.topics.map((t) => this.full(t)) : (await admin.fetchOffsets({ groupId: req.groupId })).map((t) => t.topic);
      if (!topics.length) throw badRequest(`consumer group "${req.groupId}" has no committed offsets; name the topics to reset`);
      const planned: Array<{ topic: string; partition: number; offset: string }> = [];
      try {
        for (const topic of topics) {
          const highs = await admin.fetchTopicOffsets(topic);
          let targets: Array<{ partition: number; offset: string }>;
          if (ts !== undefined) {
            const byTs = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
            targets = byTs.map((p) => ({
              partition: p.partition,
              offset: BigInt(p.offset) >= 0n ? p.offset : (highs.find((h) => h.partition === p.partition)?.high ?? '0'),
            }));
          } else if (req.toOffset === 'earliest') targets = highs.map((h) => ({ partition: h.partition, offset: h.low }));
          else if (req.toOffset === 'latest') targets = highs.map((h) => ({ partition: h.partition, offset: h.high }));
          else targets = highs.map((h) => ({ partition: h.partition, offset: req.toOffset! }));
          planned.push(...targets.map((t) => ({ topic, ...t })));
          if (!req.dryRun) await admin.setOffsets({ groupId: req.groupId, topic, partitions: targets });
        }
      } catch (err) {
        if (startOwed) step('reset-failed', (err as Error).message);
        throw err;
      }
      if (startOwed) {
        step('offsets-reset', `${planned.length} partition(s) of ${topics.length} topic(s) moved`);
        await this.control(req.groupId, 'start', requestId, who);
        startOwed = false;
        step('start-requested', `asked the consumers of ${req.groupId} to start again`);
      }
      const result = { groupId: req.groupId, dryRun: !!req.dryRun, stopAndRestart: steps.length > 0, offsets: planned, steps };
      if (!req.dryRun)
        await this.actions.record(who, ALL_TENANTS, 'reset-offsets', req.groupId, {
          details: {
            toTimestamp: req.toTimestamp,
            toOffset: req.toOffset,
            topics,
            stopAndRestart: steps.length > 0,
            requestId: steps.length ? requestId : undefined,
            steps,
          },
        });
      return result;
    } finally {
      // Whatever went wrong after the stop, the consumers are not left stopped.
      if (startOwed) await this.control(req.groupId, 'start', requestId, who).catch(() => undefined);
      await admin.disconnect();
    }
  }

  /** Publishes ops.consumer-control.requested.v1 (every service's ConsumerHost hears it). */
  private async control(groupId: string, action: 'stop' | 'start', requestId: string, who: OperatorIdentity): Promise<void> {
    await this.publisher.publish({
      topic: 'ops.consumer-control.requested.v1',
      key: groupId,
      value: { meta: newMeta({ tenantId: ALL_TENANTS, source: 'ops-api' }), groupId, action, requestId, actor: who.actor },
    });
  }

  private async waitUntilInactive(admin: Admin, groupId: string, timeoutMs: number): Promise<GroupDescription | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const g = (await admin.describeGroups([groupId])).groups[0];
      if (!g || g.state === 'Empty' || g.state === 'Dead' || Date.now() >= deadline) return g;
      await sleep(Math.min(500, Math.max(50, deadline - Date.now())));
    }
  }

  async describeGroup(groupId: string): Promise<{ groupId: string; state: string; members: Array<{ clientId: string; host: string }> }> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const g = (await admin.describeGroups([groupId])).groups[0];
      return { groupId, state: g?.state ?? 'Dead', members: (g?.members ?? []).map((m) => ({ clientId: m.clientId, host: m.clientHost })) };
    } finally {
      await admin.disconnect();
    }
  }
}
