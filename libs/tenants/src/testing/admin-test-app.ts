import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { TenantsAdminModule, type TenantsAdminOptions } from '../admin/tenants-admin.module';

/** Boots TenantsAdminModule in a throw-away Nest app on 127.0.0.1, port 0. For tests. */
export async function startAdminTestApp(options: TenantsAdminOptions): Promise<{ app: INestApplication; url: string; close(): Promise<void> }> {
  @Module({ imports: [TenantsAdminModule.forRoot(options)] })
  class AdminTestRootModule {}
  const app = await NestFactory.create(AdminTestRootModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
