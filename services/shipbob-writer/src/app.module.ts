import { Module, type DynamicModule } from '@nestjs/common';
import type { ShipbobWriterConfig } from './config/shipbob-writer.config';

@Module({})
export class AppModule {
  static forConfig(config: ShipbobWriterConfig): DynamicModule {
    return { module: AppModule, providers: [{ provide: 'CONFIG', useValue: config }] };
  }
}
