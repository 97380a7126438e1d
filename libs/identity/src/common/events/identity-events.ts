import { Inject, Injectable, Optional } from '@nestjs/common';
import type * as EventEmitterPackage from '@nestjs/event-emitter';
import type { IdentityEventName } from '../../identity.constants.js';
import { importOptionalPeer } from '../peers/optional-peer.js';

/** What the publisher needs of @nestjs/event-emitter's `EventEmitter2`. */
interface EventSink {
  emit(event: string, ...values: unknown[]): boolean;
}

// @nestjs/event-emitter is an optional peer: without it, nothing provides this token and events are off.
const EVENT_EMITTER =
  (await importOptionalPeer<typeof EventEmitterPackage>('@nestjs/event-emitter'))?.EventEmitter2 ??
  Symbol('nestjs-identity:no-event-emitter');

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
  constructor(@Optional() @Inject(EVENT_EMITTER) private readonly emitter?: EventSink) {}

  emit(name: IdentityEventName, payload: IdentityEventPayload): void {
    this.emitter?.emit(name, payload);
  }
}
