import { postgresService } from '@mlc/platform-service';
import { TenancyModule } from '@mlc/tenancy';
import { MAPPER_CONFIG, mapperSettings } from './config/mapper.config';
import { AppModule } from './app.module';

export const mapperService = postgresService('mapper', mapperSettings, MAPPER_CONFIG, (config) => [TenancyModule.forRoot(config)], AppModule);
