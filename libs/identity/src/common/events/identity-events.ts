import { Injectable, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { IdentityEventName } from '../../identity.constants.js';

/** Payload of every identity event: ids only, never secrets or PII. */
export interface IdentityEventPayload {
  workspaceId: string;
  id: string;
  [key: string]: string | number | boolean | null;
}

/**
 * Emits the module's events through @nestjs/event-emitter when the host imported
 * `EventEmitterModule.forRoot()`; without it, events are simply not sent.
 */
@Injectable()
export class IdentityEventsPublisher {
  constructor(@Optional() private readonly emitter?: EventEmitter2) {}

  emit(name: IdentityEventName, payload: IdentityEventPayload): void {
    this.emitter?.emit(name, payload);
  }
}
