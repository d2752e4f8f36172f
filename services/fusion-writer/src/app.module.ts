import { Module, type DynamicModule } from '@nestjs/common';
import type { FusionWriterConfig } from './config/fusion-writer.config';

@Module({})
export class AppModule {
  static forConfig(config: FusionWriterConfig): DynamicModule {
    return { module: AppModule, providers: [{ provide: 'CONFIG', useValue: config }] };
  }
}
