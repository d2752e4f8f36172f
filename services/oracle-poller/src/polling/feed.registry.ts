import { Injectable } from '@nestjs/common';
import type { Feed } from './feed';

/** The feeds this service knows; feature modules register theirs at start. */
@Injectable()
export class FeedRegistry {
  private readonly feeds = new Map<string, Feed>();

  register(feed: Feed): void {
    if (this.feeds.has(feed.name)) throw new Error(`feed ${feed.name} registered twice`);
    this.feeds.set(feed.name, feed);
  }

  get(name: string): Feed | undefined {
    return this.feeds.get(name);
  }

  all(): Feed[] {
    return [...this.feeds.values()];
  }
}
