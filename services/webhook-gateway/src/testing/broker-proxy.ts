import net from 'node:net';

/**
 * A TCP proxy to the Kafka broker that a spec can pause: while paused, nothing the client sends reaches the broker
 * (the bytes are held, in order, and delivered on resume), so the client's requests get no answer: a broker that is
 * slow or unreachable, with nothing faked above TCP. The gateway is pointed at it by kafka-redirect.preload.ts.
 */
export class BrokerProxy {
  private paused = false;
  private readonly held: Array<{ upstream: net.Socket; chunks: Buffer[] }> = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<BrokerProxy> {
    let proxy!: BrokerProxy;
    const server = net.createServer((client) => proxy.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new BrokerProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** Environment for startService: the preload and the redirect of `broker` (host:port) to this proxy. */
  env(broker: string, preload: string): Record<string, string> {
    return {
      NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${preload}`.trim(),
      KAFKA_REDIRECT_FROM: broker,
      KAFKA_REDIRECT_TO: `127.0.0.1:${this.port}`,
    };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const h of this.held.splice(0)) for (const c of h.chunks.splice(0)) h.upstream.write(c);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target);
    this.sockets.add(client).add(upstream);
    const entry = { upstream, chunks: [] as Buffer[] };
    client.on('data', (chunk: Buffer) => {
      if (!this.paused) return void upstream.write(chunk);
      if (!this.held.includes(entry)) this.held.push(entry);
      entry.chunks.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
