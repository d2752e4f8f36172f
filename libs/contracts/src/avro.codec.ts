import * as avro from 'avsc';
import { crc64Avro, fingerprintBytes } from './crc64-avro';
import { SCHEMA_CATALOGUE, type SchemaVersion } from './generated/catalogue';
import { TOPICS, type TopicName, type TopicRecords } from './generated/topics';

/** Avro single-object encoding marker (spec: 0xC3 0x01). */
const MAGIC = Buffer.from([0xc3, 0x01]);
const HEADER_BYTES = 10;

export type DecodeFailureReason = 'NOT_SINGLE_OBJECT' | 'UNKNOWN_FINGERPRINT' | 'WRONG_RECORD' | 'UNDECODABLE';

/** Why a record could not be read. The consumer sends such records to the dead-letter topic, raw. */
export class DecodeError extends Error {
  constructor(
    readonly reason: DecodeFailureReason,
    message: string,
    readonly fingerprint?: string,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

interface Entry {
  version: SchemaVersion;
  type: avro.Type;
  fingerprint: string;
}

/**
 * Reads and writes self-describing records: marker + CRC-64-AVRO fingerprint of the writer's schema + Avro binary.
 * Writers always use the newest version of a record; readers resolve any version in the catalogue into the newest,
 * so a replay years later still reads old records. Resolvers are cached per (writer, reader) pair.
 */
export class AvroCodec {
  private readonly byFingerprint = new Map<string, Entry>();
  private readonly newest = new Map<string, Entry>();
  private readonly resolvers = new Map<string, avro.Type | avro.Resolver>();

  constructor(catalogue: readonly SchemaVersion[] = SCHEMA_CATALOGUE) {
    for (const version of catalogue) {
      const type = avro.Type.forSchema(version.schema as avro.Schema, { wrapUnions: false });
      const canonical = JSON.stringify(type.schema());
      const fingerprint = fingerprintBytes(crc64Avro(Buffer.from(canonical))).toString('hex');
      const entry = { version, type, fingerprint };
      this.byFingerprint.set(fingerprint, entry);
      const cur = this.newest.get(version.fullName);
      if (!cur || cur.version.version < version.version) this.newest.set(version.fullName, entry);
    }
  }

  /** Fingerprint (hex, wire order) of a record version, or of its newest version. */
  fingerprintOf(fullName: string, version?: number): string {
    const entry =
      version === undefined
        ? this.newest.get(fullName)
        : [...this.byFingerprint.values()].find((e) => e.version.fullName === fullName && e.version.version === version);
    if (!entry) throw new Error(`no schema ${fullName}${version === undefined ? '' : ` v${version}`} in the catalogue`);
    return entry.fingerprint;
  }

  /** Encodes with a given version (default: newest). Throws on a value that does not match the schema. */
  encode(fullName: string, value: unknown, version?: number): Buffer {
    const entry = this.byFingerprint.get(this.fingerprintOf(fullName, version))!;
    const errors: string[] = [];
    if (!entry.type.isValid(value, { errorHook: (path) => errors.push(path.join('.') || '(root)') })) {
      throw new Error(`value is not a valid ${fullName} v${entry.version.version}: bad field(s) ${errors.join(', ')}`);
    }
    return Buffer.concat([MAGIC, Buffer.from(entry.fingerprint, 'hex'), entry.type.toBuffer(value)]);
  }

  /** Decodes any catalogued version of `fullName` into its newest version. */
  decode<T = unknown>(buf: Buffer, fullName: string): { value: T; writerVersion: number } {
    if (buf.length < HEADER_BYTES || buf[0] !== MAGIC[0] || buf[1] !== MAGIC[1]) {
      throw new DecodeError('NOT_SINGLE_OBJECT', 'not an Avro single-object encoded record (bad marker)');
    }
    const fingerprint = buf.subarray(2, HEADER_BYTES).toString('hex');
    const writer = this.byFingerprint.get(fingerprint);
    if (!writer) throw new DecodeError('UNKNOWN_FINGERPRINT', `unknown writer schema fingerprint ${fingerprint}`, fingerprint);
    const reader = this.newest.get(fullName);
    if (!reader) throw new DecodeError('WRONG_RECORD', `no reader schema ${fullName}`, fingerprint);
    if (writer.version.fullName !== fullName) {
      throw new DecodeError('WRONG_RECORD', `record is ${writer.version.fullName}, expected ${fullName}`, fingerprint);
    }
    const key = `${writer.fingerprint}>${reader.fingerprint}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = writer === reader ? reader.type : reader.type.createResolver(writer.type);
      this.resolvers.set(key, resolver);
    }
    try {
      const body = buf.subarray(HEADER_BYTES);
      const value = resolver === reader.type ? reader.type.fromBuffer(body) : reader.type.fromBuffer(body, resolver as avro.Resolver, false);
      return { value: value as T, writerVersion: writer.version.version };
    } catch (err) {
      throw new DecodeError('UNDECODABLE', `body does not decode as ${fullName} v${writer.version.version}: ${(err as Error).message}`, fingerprint);
    }
  }

  encodeFor<T extends TopicName>(topic: T, value: TopicRecords[T]): Buffer {
    return this.encode(TOPICS[topic].record, value);
  }

  decodeFor<T extends TopicName>(topic: T, buf: Buffer): { value: TopicRecords[T]; writerVersion: number } {
    return this.decode<TopicRecords[T]>(buf, TOPICS[topic].record);
  }
}
