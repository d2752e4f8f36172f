import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings } from '@mlc/platform-service';

/** Every setting of fusion-writer, checked at start. */
export const fusionWriterSettings = {
  ...baseSettings,
};

export type FusionWriterConfig = ConfigOf<typeof fusionWriterSettings>;
