import { Module, type DynamicModule } from '@nestjs/common';
import type { MapperConfig } from './config/mapper.config';

@Module({})
export class AppModule {
  static forConfig(config: MapperConfig): DynamicModule {
    return { module: AppModule, providers: [{ provide: 'CONFIG', useValue: config }] };
  }
}
