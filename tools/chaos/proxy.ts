// A TCP front for the replicas of one service, as a Kubernetes Service is: partners send webhooks and operators call
// the admin API on one stable address while replicas die and come back on new ports. Each connection goes to the
// next live replica; a replica that refuses is skipped.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class ReplicaProxy {
  private readonly server: Server;
  private readonly targets = new Map<string, number>();
  private next = 0;
  port = 0;

  constructor(readonly name: string) {
    this.server = createServer((client) => this.forward(client, 0));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `id` names a replica; its port changes when it is started again. */
  set(id: string, port: number | undefined): void {
    if (port === undefined) this.targets.delete(id);
    else this.targets.set(id, port);
  }

  private forward(client: Socket, attempt: number): void {
    const ports = [...this.targets.values()];
    if (!ports.length || attempt >= ports.length + 1) {
      client.destroy();
      return;
    }
    const port = ports[this.next++ % ports.length]!;
    client.pause();
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) this.forward(client, attempt + 1);
      else client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => connected && client.destroy());
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
