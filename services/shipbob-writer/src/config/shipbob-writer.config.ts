import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings } from '@mlc/platform-service';

/** Every setting of shipbob-writer, checked at start. */
export const shipbobWriterSettings = {
  ...baseSettings,
};

export type ShipbobWriterConfig = ConfigOf<typeof shipbobWriterSettings>;
