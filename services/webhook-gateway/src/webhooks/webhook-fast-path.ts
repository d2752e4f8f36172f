import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { LOGGER, MetricsRegistry } from '@mlc/platform-service';
import { MLC_ATTR, type Logger } from '@mlc/platform-telemetry';
import type { PublishOutcome, WebhookPartner } from './delivery.publisher';
import { answerWebhookFailure } from './webhook-exception.filter';
import { WebhookIntake } from './webhook-intake';

/** The webhook routes as Express matches them: case-insensitive, one optional trailing slash, the query ignored. */
const ROUTE = /^\/webhooks\/(shipbob|shopify)\/([^/]+)\/?$/i;

/** The tracer, once: `trace.getTracer` looks it up by name and version on every call. */
let tracerOnce: Tracer | undefined;
const tracer = (): Tracer => (tracerOnce ??= trace.getTracer('ml-connector'));

/**
 * The webhook POST routes (`/webhooks/shipbob/:tenantId`, `/webhooks/shopify/:tenantId`) answered on the raw
 * node:http request, before OpenTelemetry's HTTP instrumentation, Express and Nest see it: a webhook is the hot path
 * (partners send bursts, and each one waits for Kafka's ack), and their per-request routing, middleware, span
 * attributes and metrics cost more CPU than the webhook's own work. Everything a webhook gets is WebhookIntake's
 * (tenant, 413, signature, shop, 415, JSON structure, dedupe, back-pressure) and answerWebhookFailure's (error
 * bodies, Retry-After, refusal metrics and logs), the same code Nest's route runs (webhooks.controller.ts), which
 * still serves anything this leaves (a tenant id that is not valid percent-encoding, every other route).
 *
 * One span per delivery: `POST /webhooks/<partner>/:tenantId` (SERVER, the W3C trace context of the request's
 * headers as parent), active while the delivery is handled, so its record's `send` span is its child and the
 * record's headers and meta carry its trace.
 */
@Injectable()
export class WebhookFastPath implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly intake: WebhookIntake,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    // The server's own `emit` (the prototype's, patched by the HTTP instrumentation) handles every other event and request.
    const emit = server.emit;
    const take = (req: IncomingMessage, res: ServerResponse): boolean => this.take(req, res);
    server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'request' && take(args[0] as IncomingMessage, args[1] as ServerResponse)) return true;
      return emit.apply(this, [event, ...args] as Parameters<Server['emit']>);
    } as Server['emit'];
  }

  /** Handles the request when it is a webhook POST; false leaves it to Nest. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const m = ROUTE.exec(q < 0 ? url : url.slice(0, q));
    if (!m) return false;
    let tenantId = m[2]!;
    if (tenantId.includes('%')) {
      try {
        tenantId = decodeURIComponent(tenantId);
      } catch {
        return false;
      }
    }
    this.handle(m[1]!.toLowerCase() as WebhookPartner, tenantId, req, res);
    return true;
  }

  private handle(partner: WebhookPartner, tenantId: string, req: IncomingMessage, res: ServerResponse): void {
    const parent = req.headers['traceparent'] ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
    const route = `/webhooks/${partner}/:tenantId`;
    const span = tracer().startSpan(
      `POST ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': route, [MLC_ATTR.tenantId]: tenantId, [MLC_ATTR.partner]: partner } },
      parent,
    );
    const done = (status: number): void => {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    context
      .with(trace.setSpan(parent, span), () => (partner === 'shipbob' ? this.intake.shipbob(tenantId, req) : this.intake.shopify(tenantId, req)))
      .then(
        (outcome: PublishOutcome) => {
          const text = JSON.stringify(outcome);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
          done(200);
        },
        (err: unknown) => done(answerWebhookFailure(err, partner, res, this.log, this.metrics)),
      )
      .catch((err: unknown) => {
        this.log.error('webhook answer failed', { error: err instanceof Error ? err.message : String(err) });
        span.end();
      });
  }
}
