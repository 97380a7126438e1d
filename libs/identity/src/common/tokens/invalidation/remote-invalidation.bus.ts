import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { InvalidationBus } from './invalidation-bus.js';

interface BusMessage {
  origin: string;
  tags: string[];
}

/** The channel both remote buses send on. */
export const INVALIDATION_CHANNEL = 'identity_cache_invalidation';

/** What the remote buses share: an origin id so an instance ignores its own messages, and the wire format. */
export abstract class RemoteInvalidationBus implements InvalidationBus {
  protected readonly origin = randomUUID();
  protected readonly logger = new Logger('IdentityInvalidationBus');
  protected listener: (tags: string[]) => void = () => undefined;

  abstract publish(tags: string[]): Promise<void>;
  abstract subscribe(listener: (tags: string[]) => void): Promise<void>;
  abstract close(): Promise<void>;

  protected encode(tags: string[]): string {
    return JSON.stringify({ origin: this.origin, tags } satisfies BusMessage);
  }

  protected deliver(payload: string | undefined): void {
    try {
      const message = JSON.parse(payload ?? '') as BusMessage;
      if (message.origin !== this.origin && Array.isArray(message.tags)) {
        this.listener(message.tags.map(String));
      }
    } catch {
      this.logger.warn('Ignored a malformed invalidation message');
    }
  }
}
