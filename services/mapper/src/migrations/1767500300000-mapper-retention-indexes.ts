import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The retention sweep (DEDUP_RETENTION_DAYS) deletes mapper's delivery and emitted-record memories by age. */
export class MapperRetentionIndexes1767500300000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX mapper_shipment_deliveries_received_at ON mapper_shipment_deliveries (received_at)`);
    await q.query(`CREATE INDEX mapper_shipment_emitted_created_at ON mapper_shipment_emitted (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX mapper_shipment_emitted_created_at`);
    await q.query(`DROP INDEX mapper_shipment_deliveries_received_at`);
  }
}
