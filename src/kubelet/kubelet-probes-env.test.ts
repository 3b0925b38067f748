import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ContainerConfig } from '../runtime/index.js';
import { Kubelet } from './kubelet.js';
import { harness, podOn, stateOf, type Harness } from './testing/harness.js';

describe('kubelet probes, env and adoption', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('restarts a container whose liveness probe fails, with Unhealthy and Killing events', async () => {
    h = await harness({ behavior: (c) => ({ execExitCode: c.attempt === 0 ? 1 : 0 }) });
    const probe = { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 10, failureThreshold: 3 };
    await h.admin.resource('pods').create('default', podOn('live', { containers: [{ name: 'app', image: 'busybox:1', livenessProbe: probe }] }));
    await h.until(async () => (await h!.pod('live')).status?.containerStatuses?.[0]?.restartCount === 1, { stepMs: 1000, what: 'one restart' });
    await h.until(async () => stateOf(await h!.pod('live'), 'app') === 'running', { what: 'running again' });
    await h.clock.advance(120_000);
    assert.equal((await h.pod('live')).status!.containerStatuses![0]!.restartCount, 1);
    await h.kubelet.recorder.flush();
    const events = (await h.admin.resource('events').list('default')).items as unknown as { reason: string; message: string; count: number }[];
    const unhealthy = events.find((e) => e.reason === 'Unhealthy')!;
    assert.match(unhealthy.message, /^Liveness probe failed: /);
    assert.equal(unhealthy.count, 3);
    assert.ok(events.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));
  });

  it('flips Ready with the readiness probe', async () => {
    let healthy = false;
    h = await harness();
    const exec = h.runtime.exec.bind(h.runtime);
    h.runtime.exec = async (id, o) => {
      await exec(id, o);
      return healthy ? 0 : 1;
    };
    const probe = { exec: { command: ['true'] }, periodSeconds: 5, failureThreshold: 2, successThreshold: 1 };
    await h.admin.resource('pods').create('default', podOn('ready', { containers: [{ name: 'app', image: 'busybox:1', readinessProbe: probe }] }));
    const readyCondition = async () => (await h!.pod('ready')).status?.conditions?.find((c) => c.type === 'Ready')?.status;
    await h.until(async () => stateOf(await h!.pod('ready'), 'app') === 'running', { what: 'running' });
    await h.clock.advance(20_000);
    assert.equal(await readyCondition(), 'False');
    healthy = true;
    await h.until(async () => (await readyCondition()) === 'True', { what: 'Ready' });
    healthy = false;
    await h.until(async () => (await readyCondition()) === 'False', { what: 'not Ready' });
    assert.equal((await h.pod('ready')).status!.phase, 'Running');
  });

  it('resolves env from values, ConfigMaps, Secrets and fields, and expands $(VAR) in command and args', async () => {
    const configs: ContainerConfig[] = [];
    h = await harness({
      behavior: (c) => {
        configs.push(c);
        return {};
      },
    });
    await h.admin.resource('configmaps').create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { mode: 'fast', LEVEL: 'debug' } });
    await h.admin.resource('secrets').create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    await h.admin.resource('pods').create(
      'default',
      podOn('env', {
        containers: [
          {
            name: 'app',
            image: 'busybox:1',
            command: ['/bin/run', '--mode=$(MODE)'],
            args: ['$(GREETING)', '$$(GREETING)', '$(UNKNOWN)'],
            envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
            env: [
              { name: 'NAME', value: 'world' },
              { name: 'GREETING', value: 'hello $(NAME)' },
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            ],
            resources: { limits: { memory: '64Mi' } },
          },
        ],
      }),
    );
    await h.until(async () => stateOf(await h!.pod('env'), 'app') === 'running', { what: 'running' });
    const c = configs[0]!;
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
    assert.equal(env.CFG_mode, 'fast');
    assert.equal(env.GREETING, 'hello world');
    assert.equal(env.MODE, 'fast');
    assert.equal(env.PASSWORD, 'hunter2');
    assert.equal(env.POD, 'env');
    assert.match(env.POD_IP!, /^10\.42\.0\./);
    assert.equal(env.MEM, '64');
    assert.deepEqual(c.command, ['/bin/run', '--mode=fast']);
    assert.deepEqual(c.args, ['hello world', '$(GREETING)', '$(UNKNOWN)']);
  });

  it('reports CreateContainerConfigError for a missing ConfigMap key', async () => {
    h = await harness();
    await h.admin.resource('configmaps').create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: {} });
    await h.admin.resource('pods').create('default', podOn('cfgerr', { containers: [{ name: 'app', image: 'busybox:1', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing' } } }] }] }));
    await h.until(async () => stateOf(await h!.pod('cfgerr'), 'app') === 'waiting:CreateContainerConfigError', { what: 'CreateContainerConfigError' });
    const cs = (await h.pod('cfgerr')).status!.containerStatuses![0]!;
    assert.equal(cs.state.waiting!.message, "couldn't find key missing in ConfigMap default/cfg");
  });

  it('adopts running containers after a kubelet restart, keeping restart counts', async () => {
    h = await harness({ behavior: (c) => (c.name === 'flaky' && c.attempt === 0 ? { exitCode: 1, runMs: 0 } : {}) });
    await h.admin.resource('pods').create('default', podOn('keep', { containers: [{ name: 'steady', image: 'busybox:1' }, { name: 'flaky', image: 'busybox:1' }] }));
    await h.until(async () => {
      const p = await h!.pod('keep');
      return stateOf(p, 'steady') === 'running' && stateOf(p, 'flaky') === 'running' && p.status!.containerStatuses![1]!.restartCount === 1;
    }, { what: 'both running, flaky restarted once' });
    const before = (await h.runtime.listContainers()).filter((c) => c.state === 'running').map((c) => c.id).sort();
    const startsBefore = [...h.starts.values()].flat().length;
    h.stopKubelet();
    const kubelet: Kubelet = await h.startKubelet();
    await h.until(async () => kubelet.syncer.states.size === 1, { what: 'pod adopted' });
    await h.clock.advance(30_000);
    const after = (await h.runtime.listContainers()).filter((c) => c.state === 'running').map((c) => c.id).sort();
    assert.deepEqual(after, before);
    assert.equal([...h.starts.values()].flat().length, startsBefore);
    const p = await h.pod('keep');
    assert.equal(p.status!.phase, 'Running');
    assert.equal(p.status!.containerStatuses![1]!.restartCount, 1);
  });
});
