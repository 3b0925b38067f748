/** A parsed, normalized image reference, as containerd and the docker CLI read one. */
export interface ImageReference {
  /** registry as written, `docker.io` for the default one */
  domain: string;
  /** where to send requests: `registry-1.docker.io` for docker.io, else `domain` */
  registryHost: string;
  /** repository path inside the registry, `library/busybox` */
  repository: string;
  /** `docker.io/library/busybox` */
  name: string;
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins a digest */
  digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

/** An image reference that cannot be parsed; `code` is stable. */
export class InvalidReferenceError extends Error {
  readonly code = 'InvalidImageName';
  constructor(readonly reference: string, reason: string) {
    super(`invalid image reference "${reference}": ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

/**
 * Parses `busybox`, `busybox:1.36`, `ghcr.io/org/app@sha256:…`, `127.0.0.1:5000/test/busybox:1`.
 * Like upstream: no domain means docker.io, a single docker.io component gets `library/`, and a
 * reference with neither tag nor digest means `:latest`.
 */
export function parseImageReference(input: string): ImageReference {
  const text = input.trim();
  if (!text) throw new InvalidReferenceError(input, 'empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(input, 'digest must be sha256: followed by 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(input, `invalid tag "${tag}"`);
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw new InvalidReferenceError(input, `invalid registry "${domain}"`);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (!path) throw new InvalidReferenceError(input, 'missing repository');
  const components = path.split('/');
  for (const c of components) {
    if (!COMPONENT.test(c)) throw new InvalidReferenceError(input, `invalid repository component "${c}" (lowercase letters, digits and separators only)`);
  }
  if (domain === DEFAULT_DOMAIN && components.length === 1) path = `library/${path}`;
  if (!tag && !digest) tag = 'latest';
  return {
    domain,
    registryHost: domain === DEFAULT_DOMAIN ? 'registry-1.docker.io' : domain,
    repository: path,
    name: `${domain}/${path}`,
    tag,
    digest,
  };
}

/** `name:tag`, `name@digest` or `name:tag@digest`: the canonical string of a reference. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** True for registries reached over plain HTTP: loopback hosts. */
export function isLoopbackRegistry(host: string): boolean {
  const bare = host.replace(/:[0-9]+$/, '').replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** True when `value` is a well-formed sha256 digest. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}
