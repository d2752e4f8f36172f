// Test support, preloaded (NODE_OPTIONS=--require) into a gateway that a spec starts: connections to the broker
// address KAFKA_REDIRECT_FROM (host:port) are made to KAFKA_REDIRECT_TO instead, a pausable proxy in the spec
// (broker-proxy.ts). Pointing KAFKA_BROKERS at the proxy is not enough: the broker's metadata names its own address.
import net from 'node:net';

const from = process.env['KAFKA_REDIRECT_FROM'];
const to = process.env['KAFKA_REDIRECT_TO'];
if (from && to) {
  const [toHost, toPort] = [to.slice(0, to.lastIndexOf(':')), Number(to.slice(to.lastIndexOf(':') + 1))];
  const connect = net.connect;
  const redirected = function (this: unknown, ...args: unknown[]) {
    const opts = args[0] as { host?: string; port?: number } | undefined;
    if (opts && typeof opts === 'object' && `${opts.host}:${opts.port}` === from) args[0] = { ...opts, host: toHost, port: toPort };
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  (net as { connect: unknown }).connect = redirected;
}
