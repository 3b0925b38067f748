import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type RunningCluster } from './lib/cluster.js';
import { kubectl as runKubectl, type KubectlResult, type KubectlVersion } from './lib/kubectl.js';
import { configMapManifest, deploymentManifest, manifestDir, podManifest, type ManifestDir } from './lib/manifests.js';

let cluster: RunningCluster | undefined;
let manifests: ManifestDir;

before(async () => {
  manifests = manifestDir();
  cluster = await startCluster();
});
after(async () => {
  await cluster?.stop();
  manifests?.remove();
});

function ok(result: KubectlResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}

/** A pod whose container says `imagee` instead of `image`, and has an image besides when `alsoImage`. */
function misspeltPod(name: string, alsoImage: boolean): object {
  const container: Record<string, string> = { name: 'main', imagee: 'nginx:1.27' };
  if (alsoImage) container.image = 'nginx:1.27';
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [container] } };
}

// 1.27 reads OpenAPI v2 (protobuf); 1.29 and 1.33 read OpenAPI v3.
for (const version of ['1.27', '1.29', '1.33'] as KubectlVersion[]) {
  describe(`kubectl ${version} with default validation`, () => {
    const v = version.replace('.', '');
    const kubectl = (args: string[]) => runKubectl(version, args, { kubeconfig: cluster!.kubeconfig });

    it('creates a pod, a deployment and a configmap from a manifest without warnings', async () => {
      const file = manifests.write(`objects-${v}.yaml`, podManifest(`oa-pod-${v}`), deploymentManifest(`oa-deploy-${v}`), configMapManifest(`oa-cm-${v}`));
      const result = await kubectl(['create', '-f', file]);
      ok(result, 'create -f');
      assert.equal(result.stderr, '');
      assert.deepEqual(result.stdout.trim().split('\n'), [`pod/oa-pod-${v} created`, `deployment.apps/oa-deploy-${v} created`, `configmap/oa-cm-${v} created`]);
    });

    it('rejects a misspelt field with the upstream error', async () => {
      const file = manifests.write(`bad-${v}.yaml`, misspeltPod(`oa-bad-${v}`, false));
      const result = await kubectl(['create', '-f', file]);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr.trim(),
        `Error from server (BadRequest): error when creating "${file}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"`,
      );
      const get = await kubectl(['get', 'pod', `oa-bad-${v}`]);
      assert.equal(get.code, 1);
    });

    it('warns about an unknown field with --validate=warn and does not store it', async () => {
      const file = manifests.write(`warn-${v}.yaml`, misspeltPod(`oa-warn-${v}`, true));
      const result = await kubectl(['create', '-f', file, '--validate=warn']);
      ok(result, 'create --validate=warn');
      assert.match(result.stderr, /Warning: unknown field "spec.containers\[0\].imagee"/);
      const stored = JSON.parse(ok(await kubectl(['get', 'pod', `oa-warn-${v}`, '-o', 'json']), 'get')) as { spec: { containers: Record<string, unknown>[] } };
      assert.equal(stored.spec.containers[0].imagee, undefined);
      assert.equal(stored.spec.containers[0].image, 'nginx:1.27');
    });

    it('apply --server-side of a misspelt field or a wrong type fails and stores nothing, whatever --validate says', async () => {
      const misspelt = manifests.write(`ssa-bad-${v}.yaml`, misspeltPod(`oa-ssa-bad-${v}`, true));
      for (const validate of ['--validate=strict', '--validate=false']) {
        const result = await kubectl(['apply', '--server-side', '-f', misspelt, validate]);
        assert.equal(result.code, 1, result.stdout);
        assert.equal(
          result.stderr.trim(),
          `Error from server (BadRequest): failed to create typed patch object (default/oa-ssa-bad-${v}; /v1, Kind=Pod): .spec.containers[0].imagee: field not declared in schema`,
        );
      }
      const wrongType = manifests.write(`ssa-type-${v}.yaml`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `oa-ssa-type-${v}` }, data: { a: 1 } });
      const typed = await kubectl(['apply', '--server-side', '-f', wrongType]);
      assert.equal(typed.code, 1, typed.stdout);
      assert.equal(typed.stderr.trim(), `Error from server (BadRequest): failed to create typed patch object (default/oa-ssa-type-${v}; /v1, Kind=ConfigMap): json: cannot unmarshal number 1 into Go struct field ConfigMap.data of type string`);
      assert.equal((await kubectl(['get', 'pod', `oa-ssa-bad-${v}`])).code, 1);
      assert.equal((await kubectl(['get', 'cm', `oa-ssa-type-${v}`])).code, 1);
    });

    it('rejects a Secret whose data is not base64 with the decoder error, as upstream', async () => {
      const file = manifests.write(`secret-${v}.yaml`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `oa-secret-${v}` }, data: { k: 'not base64!' } });
      const result = await kubectl(['create', '-f', file]);
      assert.equal(result.code, 1);
      assert.equal(result.stderr.trim(), `Error from server (BadRequest): error when creating "${file}": Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3`);
    });

    it('explains pod.spec.containers.livenessProbe', async () => {
      const out = ok(await kubectl(['explain', 'pod.spec.containers.livenessProbe']), 'explain');
      assert.match(out, /KIND:\s+Pod/);
      assert.match(out, /FIELD:\s+livenessProbe\s+<Probe>/);
      assert.match(out, /Periodic probe of container liveness/);
      assert.match(out, /initialDelaySeconds\s+<integer>/);
    });

    it('lists api-resources', async () => {
      const out = ok(await kubectl(['api-resources']), 'api-resources');
      assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    });
  });
}
