// The bare gateway of the gateway ceilings, run as its own process (like the product) by ceilings.ts: node:http,
// the Standard-Webhooks HMAC check of ShipBob deliveries, and one kafkajs idempotent producer with acks from all
// in-sync replicas. Nothing else (no tenants, no ledger, no Avro): what a webhook costs on this machine and broker.
//   BARE_COALESCE=0  one send per request
//   BARE_COALESCE=1  requests that arrive while a send is in flight share the next send (one sendBatch)
// Answers 200 only after the broker acknowledged the request's record. Tells its parent `{ port }` once listening,
// answers `{ sends }` to the message 'stats', and exits on 'stop'.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CompressionTypes } from 'kafkajs';
import { createKafka } from '@mlc/platform-kafka';
import { verifyShipbobWebhook } from '@mlc/partners-shipbob-client';

interface Pending {
  message: { key: string; value: Buffer };
  done: (err?: Error) => void;
}

async function main(): Promise<void> {
  const topic = process.env['BARE_TOPIC']!;
  const secret = process.env['BARE_SECRET']!;
  const coalesce = process.env['BARE_COALESCE'] === '1';
  const kafka = createKafka({ brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), clientId: 'bench-bare-gateway' });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  let sends = 0;

  const sendNow = async (messages: Pending['message'][]): Promise<void> => {
    sends++;
    await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic, messages }] });
  };

  let queue: Pending[] = [];
  let sending = false;
  const flush = async (): Promise<void> => {
    sending = true;
    while (queue.length) {
      const batch = queue;
      queue = [];
      try {
        await sendNow(batch.map((p) => p.message));
        for (const p of batch) p.done();
      } catch (err) {
        for (const p of batch) p.done(err as Error);
      }
    }
    sending = false;
  };
  const publish = (message: Pending['message']): Promise<void> =>
    coalesce
      ? new Promise<void>((resolve, reject) => {
          queue.push({ message, done: (err) => (err ? reject(err) : resolve()) });
          if (!sending) void flush();
        })
      : sendNow([message]);

  const answer = (res: ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const v = verifyShipbobWebhook({ rawBody: raw, headers: req.headers, secrets: [secret] });
    if (!v.ok) return answer(res, 401, JSON.stringify({ error: v.reason }));
    try {
      await publish({ key: v.webhookId, value: raw });
      answer(res, 200, JSON.stringify({ status: 'published', deliveryId: v.webhookId }));
    } catch (err) {
      answer(res, 503, JSON.stringify({ error: (err as Error).message }));
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
  process.on('message', (m) => {
    if (m === 'stats') process.send?.({ sends });
    if (m === 'stop') {
      server.closeAllConnections();
      server.close();
      void producer.disconnect().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
