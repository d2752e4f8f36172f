import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { MAPPER_CONFIG, mapperSettings, type MapperConfig } from './config/mapper.config';
import { AppModule } from './app.module';

const shared = (config: MapperConfig) => [TenancyModule.forRoot(config)];
export const mapperService = postgresService('mapper', mapperSettings, MAPPER_CONFIG, shared, AppModule);
