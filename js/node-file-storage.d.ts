// Types for @globus-edge/client/node-file-storage (Node only).
import type { StorageObject } from "./index.js";

export interface FileStorage extends StorageObject {
  /** The token file (Python JSONTokenStorage v2 format). */
  readonly path: string;
  get(key: string): string | null;
  put(key: string, value: string, options?: { expirationTtl?: number }): void;
  delete(key: string): void;
}

/** The storage key of the token document of clientId and namespace. */
export function tokenDocumentKey(clientId?: string, namespace?: string): string;

/**
 * A storage keeping the token document in the file at path (Python SDK v2 format, mode 0600,
 * atomic writes) and the login in progress and refresh lease in "<path>.pending.json".
 * clientId and namespace must be the client's.
 */
export function createFileStorage(path: string, options?: { clientId?: string; namespace?: string }): FileStorage;
