import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerHost } from './consumer.host';
import { KafkaTransport } from './kafka.transport';

/** The transport's start-up checks, without a broker: handlers are added the way Nest adds @KafkaHandler methods. */
function transportWith(handlers: Array<{ topic: string; options: Record<string, unknown> }>): {
  transport: KafkaTransport;
  registered: Array<Record<string, unknown>>;
} {
  const registered: Array<Record<string, unknown>> = [];
  const host = { register: (opts: Record<string, unknown>) => void registered.push(opts) } as unknown as ConsumerHost;
  const transport = new KafkaTransport(host, () => undefined as never);
  for (const h of handlers)
    transport.addHandler({ kafka: h.options['consumer'], topic: h.topic }, async () => undefined, true, { 'mlc:kafka-handler': h.options });
  return { transport, registered };
}

const listen = (t: KafkaTransport) => new Promise<unknown>((resolve) => t.listen((err) => resolve(err)));

describe('KafkaTransport start-up', () => {
  it('groups the handlers of one consumer into one registration with their topics and settings', async () => {
    const { transport, registered } = transportWith([
      { topic: 'shipbob.webhook.received.v1', options: { consumer: 'c1', maxAttempts: 8 } },
      { topic: 'fulfilment.shipbob-order.synced.v1', options: { consumer: 'c1', maxAttempts: 8 } },
      { topic: 'shipbob.webhook.received.v1', options: { consumer: 'c2', groupId: 'other' } },
    ]);
    assert.equal(await listen(transport), undefined);
    assert.deepEqual(
      registered.map((r) => ({ groupId: r['groupId'], topics: r['topics'], maxAttempts: r['maxAttempts'] })),
      [
        { groupId: 'c1', topics: ['shipbob.webhook.received.v1', 'fulfilment.shipbob-order.synced.v1'], maxAttempts: 8 },
        { groupId: 'other', topics: ['shipbob.webhook.received.v1'], maxAttempts: undefined },
      ],
    );
  });

  it('refuses to start when two handlers of one consumer disagree on a setting, naming both', async () => {
    const { transport, registered } = transportWith([
      { topic: 'shipbob.webhook.received.v1', options: { consumer: 'c1', maxAttempts: 8 } },
      { topic: 'fulfilment.shipbob-order.synced.v1', options: { consumer: 'c1', maxAttempts: 3 } },
    ]);
    const err = await listen(transport);
    assert.match(String((err as Error)?.message), /Kafka consumer c1: its handlers disagree on maxAttempts \(8 vs 3\)/);
    assert.equal(registered.length, 0);
  });
});
