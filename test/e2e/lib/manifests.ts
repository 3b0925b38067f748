import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A temp folder for the YAML files a test hands to `kubectl -f`. */
export interface ManifestDir {
  readonly dir: string;
  /** write the objects as one multi-document YAML file and return its path (YAML 1.1 quoting, as kubectl reads `n`, `on` … as booleans) */
  write(fileName: string, ...objects: object[]): string;
  /** remove the folder; safe to call twice */
  remove(): void;
}

/** Make a temp folder for manifests; callers register `after(() => manifests.remove())`. */
export function manifestDir(): ManifestDir {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-manifests-'));
  return {
    dir,
    write(fileName, ...objects) {
      const path = join(dir, fileName);
      writeFileSync(path, objects.map((o) => stringify(o, { version: '1.1' })).join('---\n'));
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A one-container pod. */
export function podManifest(name: string, labels: Record<string, string> = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name, ...labels } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
  };
}

/** A one-replica deployment whose pods carry `app: <name>`. */
export function deploymentManifest(name: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } },
    },
  };
}

/** A configmap with the given data. */
export function configMapManifest(name: string, data: Record<string, string> = { greeting: 'hello' }): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

/** Split kubectl's table output into rows of cells (columns are set apart by two or more spaces). */
export function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}
