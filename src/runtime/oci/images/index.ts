/**
 * The `oci` runtime's image store: registry client (distribution spec v2, token and basic auth),
 * content-addressed blobs, shared unpacked layers, archive import, and per-container root
 * filesystems on overlayfs.
 */
export { ImageStore, type ImageStoreOptions, type PreparedRootfs, type ResolvedImage } from './image-store.js';
export { parseImageReference, formatImageReference, isLoopbackRegistry, InvalidReferenceError, type ImageReference } from './reference.js';
export { pullAuthFromSecretData, pullAuthFromSecrets } from './docker-config.js';
export { RegistryClient, RegistryError, type RegistryClientOptions } from './registry-client.js';
export { DigestMismatchError } from './blob-store.js';
export { ManifestError, mediaTypes, type ImageConfig, type ImageConfigBlob, type ImageManifest, type ImageIndex, type Descriptor } from './manifest.js';
export { TarFormatError } from './tar-reader.js';
export { buildTar, type TarWriterEntry } from './tar-writer.js';
export type { RootfsMode } from './rootfs.js';
