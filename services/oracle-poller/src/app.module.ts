import { Module, type DynamicModule } from '@nestjs/common';
import type { OraclePollerConfig } from './config/oracle-poller.config';

@Module({})
export class AppModule {
  static forConfig(config: OraclePollerConfig): DynamicModule {
    return { module: AppModule, providers: [{ provide: 'CONFIG', useValue: config }] };
  }
}
