import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, MalformedWebhookError } from './webhook.errors';

/** Bodies this many times the limit are still drained (so the sender reads our 413); beyond it the socket is cut. */
const DRAIN_FACTOR = 8;

/**
 * Reads the request body as the exact bytes sent. Nothing parses it on the way (the service boots with Nest's body
 * parser off), so signatures are checked over what the partner signed and 64-bit ids cannot be rounded.
 * A declared or actual size above `limit` ends in BodyTooLargeError (413) without buffering the excess.
 */
export async function readRawBody(req: IncomingMessage & { rawBody?: Buffer }, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.rawBody)) {
    if (req.rawBody.length > limit) throw new BodyTooLargeError(limit, req.rawBody.length);
    return req.rawBody;
  }
  if (req.readableEnded) throw new MalformedWebhookError('request body was already consumed (is a body parser installed?)');
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit * DRAIN_FACTOR) {
    req.resume();
    throw new BodyTooLargeError(limit, declared);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) {
        cleanup();
        req.resume();
        reject(new BodyTooLargeError(limit, size));
      }
    };
    const onEnd = (): void => {
      cleanup();
      if (tooLarge) reject(new BodyTooLargeError(limit, size));
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new MalformedWebhookError(`request body could not be read: ${err.message}`));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
