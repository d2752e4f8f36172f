import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TenancyModule } from '@mlc/tenancy';
import { ORACLE_POLLER_CONFIG, type OraclePollerConfig } from './config/oracle-poller.config';
import { PurchaseOrdersModule } from './purchase-orders/purchase-orders.module';
import { ReceivablesModule } from './receivables/receivables.module';
import { PollingModule } from './polling/polling.module';

/** oracle-poller: the platform (Kafka, health, metrics) comes from bootService; tenants and features are wired here. */
@Global()
@Module({})
export class AppModule {
  static forConfig(config: OraclePollerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TenancyModule.forRoot(config), PollingModule, PurchaseOrdersModule, ReceivablesModule],
      providers: [{ provide: ORACLE_POLLER_CONFIG, useValue: config }],
      exports: [ORACLE_POLLER_CONFIG],
    };
  }
}
