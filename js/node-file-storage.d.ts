// Types for @globus-edge/client/node-file-storage (Node only).
import type { StorageBinding, StorageObject } from "./index.js";

export interface FileStorage extends StorageObject {
  /** The token file (Python JSONTokenStorage v2 format). */
  readonly path: string;
  /** Called by the client when it is created: the keys it uses (the token document's goes to
   * path). Throws, naming both client ids, when a client with other keys was bound before. */
  bind(binding: StorageBinding): void;
  get(key: string): string | null;
  put(key: string, value: string, options?: { expirationTtl?: number }): void;
  delete(key: string): void;
}

/**
 * A storage keeping the token document in the file at path (Python SDK v2 format, mode 0600,
 * atomic writes) and the login in progress and refresh lease in "<path>.pending.json", for one
 * client (client id and namespace): the client tells it its keys when it is created.
 */
export function createFileStorage(path: string): FileStorage;
