// Types for @globus-edge/client/node-file-storage (Node only).
import type { StorageBinding, StorageObject } from "./index.js";

export interface FileStorage extends StorageObject {
  /** The token file (Python JSONTokenStorage v2 format). */
  readonly path: string;
  /** Called by the client when it is created: the keys it uses (the token document's goes to
   * path). Throws, naming both client ids, when a client with other keys was bound before. */
  bind(binding: StorageBinding): void;
  get(key: string): string | null;
  /** The token document or the login in progress; other keys throw. */
  put(key: string, value: string, options?: { expirationTtl?: number }): void;
  /** The lease (the lock file) throws: it is changed by compareAndSwap only. */
  delete(key: string): void;
  /** The refresh lease's lock file, "<path>.lock", the CLI's: other keys throw. */
  compareAndSwap(key: string, expected: string | null, value: string | null): boolean;
}

/**
 * A storage keeping the token document in the file at path (Python SDK v2 format, mode 0600,
 * atomic writes), the refresh lease in "<path>.lock" (the CLI's lock file, taken with
 * compareAndSwap: the CLI and Node scripts refresh once between them) and the login in progress
 * in "<path>.pending.json", for one client (client id and namespace): the client tells it its
 * keys when it is created.
 */
export function createFileStorage(path: string): FileStorage;
