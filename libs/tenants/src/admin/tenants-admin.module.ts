import { Controller, Get, Module, type DynamicModule, type InjectionToken, type OptionalFactoryDependency } from '@nestjs/common';
import { EncryptionAdminController } from './encryption-admin.controller';
import { OperatorAuthGuard, parseOperatorKeys } from './operator-auth.guard';
import { TENANTS_ADMIN_OPENAPI } from './openapi.document';
import { TenantsAdminController } from './tenants-admin.controller';
import type { ResolvedAdminOptions, TenantsAdminOptions } from './tenants-admin.options';
import { TENANTS_ADMIN_OPTIONS } from './tenants-admin.tokens';

export type { TenantsAdminOptions } from './tenants-admin.options';

/** Options built from providers of the hosting service (its TenantConfigService, configuration, pingers). */
export interface TenantsAdminAsyncOptions {
  inject: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...deps: never[]) => TenantsAdminOptions | Promise<TenantsAdminOptions>;
}

function resolve(options: TenantsAdminOptions): ResolvedAdminOptions {
  return {
    config: options.config,
    operatorKeys: typeof options.operatorApiKeys === 'string' ? parseOperatorKeys(options.operatorApiKeys) : options.operatorApiKeys,
    ping: options.ping,
    maxCsvBytes: options.maxCsvBytes ?? 5 * 1024 * 1024,
  };
}

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
    return {
      module: TenantsAdminModule,
      controllers: [TenantsAdminController, EncryptionAdminController, AdminOpenApiController],
      providers: [{ provide: TENANTS_ADMIN_OPTIONS, useValue: resolve(options) }, OperatorAuthGuard],
    };
  }

  /** The same, with options made from the hosting service's providers. */
  static forRootAsync(options: TenantsAdminAsyncOptions): DynamicModule {
    const factory = options.useFactory as (...deps: unknown[]) => TenantsAdminOptions | Promise<TenantsAdminOptions>;
    return {
      module: TenantsAdminModule,
      controllers: [TenantsAdminController, EncryptionAdminController, AdminOpenApiController],
      providers: [
        { provide: TENANTS_ADMIN_OPTIONS, inject: options.inject, useFactory: async (...deps: unknown[]) => resolve(await factory(...deps)) },
        OperatorAuthGuard,
      ],
    };
  }
}
