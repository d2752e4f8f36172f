import { Global, Module, type DynamicModule } from '@nestjs/common';
import { FlowControlModule } from '@mlc/platform-flow-control';
import { TenancyModule } from '@mlc/tenancy';
import { SHIPBOB_WRITER_CONFIG, type ShipbobWriterConfig } from './config/shipbob-writer.config';
import { OrdersModule } from './orders/orders.module';

/** shipbob-writer: the platform (Kafka, health, metrics) comes from bootService; tenants and features are wired here. */
@Global()
@Module({})
export class AppModule {
  static forConfig(config: ShipbobWriterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TenancyModule.forRoot(config), FlowControlModule.forService(), OrdersModule],
      providers: [{ provide: SHIPBOB_WRITER_CONFIG, useValue: config }],
      exports: [SHIPBOB_WRITER_CONFIG],
    };
  }
}
