import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditProjectorConfig } from './config/audit-projector.config';
import { AuditTrailProjector } from './audit/audit-trail.projector';

@Module({})
export class AppModule {
  static forConfig(config: AuditProjectorConfig): DynamicModule {
    return { module: AppModule, providers: [{ provide: 'CONFIG', useValue: config }, AuditTrailProjector] };
  }
}
