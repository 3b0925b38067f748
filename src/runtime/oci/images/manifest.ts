/** OCI and Docker media types and the manifest shapes the image store reads. */
export const mediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The Accept header of a manifest request: every type the store can read. */
export const manifestAccept = [mediaTypes.ociIndex, mediaTypes.ociManifest, mediaTypes.dockerManifestList, mediaTypes.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** What a container needs from the image config (the `config` object of an OCI image config). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

/** The OCI image config blob. */
export interface ImageConfigBlob {
  architecture?: string;
  os?: string;
  config?: ImageConfig;
  rootfs: { type: string; diff_ids: string[] };
}

/** An image manifest, index or list that cannot be used; `code` is stable. */
export class ManifestError extends Error {
  readonly code = 'ManifestInvalid';
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Classifies a parsed manifest document by its media type (field or, failing that, shape). */
export function manifestKind(doc: { mediaType?: string; manifests?: unknown; config?: unknown; schemaVersion?: number }, contentType?: string): 'index' | 'manifest' {
  const type = doc.mediaType || contentType?.split(';')[0].trim() || '';
  if (type === mediaTypes.ociIndex || type === mediaTypes.dockerManifestList) return 'index';
  if (type === mediaTypes.ociManifest || type === mediaTypes.dockerManifest) return 'manifest';
  if (doc.schemaVersion === 1 || type === mediaTypes.dockerSchema1) throw new ManifestError('Docker schema 1 manifests are not supported; push the image again with a current client');
  if (Array.isArray(doc.manifests)) return 'index';
  if (doc.config) return 'manifest';
  throw new ManifestError(`unsupported manifest media type "${type}"`);
}

/** Picks the linux/amd64 (or the given platform's) manifest from an index, as containerd does. */
export function selectPlatform(index: ImageIndex, platform = { os: 'linux', architecture: nodeArch() }): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
  const pick = candidates.find((m) => !m.platform?.variant) ?? candidates[0];
  if (!pick) {
    const offered = index.manifests.map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`).join(', ');
    throw new ManifestError(`no manifest for ${platform.os}/${platform.architecture} in the image index (it has ${offered || 'none'})`);
  }
  return pick;
}

/** Checks that a parsed document is a usable image manifest. */
export function checkManifest(doc: ImageManifest): ImageManifest {
  if (!doc.config?.digest || !Array.isArray(doc.layers)) throw new ManifestError('image manifest lacks config or layers');
  return doc;
}

function nodeArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return map[process.arch] ?? process.arch;
}
