import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { OperatorAuthGuard, parseOperatorKeys } from './operator-auth.guard';
import { TENANTS_ADMIN_OPENAPI } from './openapi.document';
import { TenantsAdminController } from './tenants-admin.controller';
import type { ResolvedAdminOptions, TenantsAdminOptions } from './tenants-admin.options';
import { TENANTS_ADMIN_OPTIONS } from './tenants-admin.tokens';

export type { TenantsAdminOptions } from './tenants-admin.options';

@Controller('admin')
export class AdminOpenApiController {
  @Get('openapi.json')
  openapi() {
    return TENANTS_ADMIN_OPENAPI;
  }
}

/**
 * The operator REST API under /admin/tenants (auth: `x-api-key` or `Authorization: Bearer`, keys from
 * MLC_OPERATOR_API_KEYS) plus its OpenAPI document at /admin/openapi.json.
 */
@Module({})
export class TenantsAdminModule {
  static forRoot(options: TenantsAdminOptions): DynamicModule {
    const resolved: ResolvedAdminOptions = {
      config: options.config,
      operatorKeys: typeof options.operatorApiKeys === 'string' ? parseOperatorKeys(options.operatorApiKeys) : options.operatorApiKeys,
      ping: options.ping,
      maxCsvBytes: options.maxCsvBytes ?? 5 * 1024 * 1024,
    };
    return {
      module: TenantsAdminModule,
      controllers: [TenantsAdminController, AdminOpenApiController],
      providers: [{ provide: TENANTS_ADMIN_OPTIONS, useValue: resolved }, OperatorAuthGuard],
    };
  }
}
