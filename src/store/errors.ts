import type { KeyValue } from './types.js';

/** Root of the store's errors; `code` is stable and mapped to a Status by the API server. */
export class StoreError extends Error {
  constructor(readonly code: 'KeyExists' | 'KeyNotFound' | 'RevisionMismatch' | 'Compacted' | 'Unavailable' | 'Timeout', message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** `create` found the key already there. */
export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super('KeyExists', `key ${key} already exists`);
  }
}

/** `update` or `delete` found no such key. */
export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) {
    super('KeyNotFound', `key ${key} not found`);
  }
}

/** The key is not at the expected revision; `current` is what is there now. */
export class RevisionMismatchError extends StoreError {
  constructor(readonly key: string, readonly current: KeyValue) {
    super('RevisionMismatch', `key ${key} is at revision ${current.modRevision}`);
  }
}

/** A read or watch from a revision compaction has removed (the API server's 410 Expired). */
export class CompactedError extends StoreError {
  constructor(readonly requested: number, readonly compacted: number) {
    super('Compacted', `revision ${requested} has been compacted (oldest available ${compacted + 1})`);
  }
}

/** The store is closed or its backend cannot be reached. */
export class StoreUnavailableError extends StoreError {
  constructor(message: string) {
    super('Unavailable', message);
  }
}

/** The backend did not answer within the store's deadline (the API server's 504 Timeout). */
export class StoreTimeoutError extends StoreError {
  constructor(message: string) {
    super('Timeout', message);
  }
}
