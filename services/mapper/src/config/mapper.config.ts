import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings } from '@mlc/platform-service';

/** Every setting of mapper, checked at start. */
export const mapperSettings = {
  ...baseSettings,
};

export type MapperConfig = ConfigOf<typeof mapperSettings>;
