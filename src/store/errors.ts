import type { KeyValue } from './types.js';

/** Root of the store's errors; `code` is stable and mapped to a Status by the API server. */
export class StoreError extends Error {
  constructor(readonly code: 'KeyExists' | 'KeyNotFound' | 'RevisionMismatch' | 'Compacted' | 'Unavailable', message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super('KeyExists', `key ${key} already exists`);
  }
}

export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) {
    super('KeyNotFound', `key ${key} not found`);
  }
}

export class RevisionMismatchError extends StoreError {
  constructor(readonly key: string, readonly current: KeyValue) {
    super('RevisionMismatch', `key ${key} is at revision ${current.modRevision}`);
  }
}

export class CompactedError extends StoreError {
  constructor(readonly requested: number, readonly compacted: number) {
    super('Compacted', `revision ${requested} has been compacted (oldest available ${compacted + 1})`);
  }
}

export class StoreUnavailableError extends StoreError {
  constructor(message: string) {
    super('Unavailable', message);
  }
}
