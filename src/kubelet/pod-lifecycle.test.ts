import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { KubeObject } from '../api/index.js';
import { harness, podOn, stateOf, type Harness } from './testing/harness.js';

describe('kubelet pod lifecycle (sim runtime, fake clock)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('runs a pod: Running, Ready, container statuses and events', async () => {
    h = await harness();
    await h.admin.resource('pods').create('default', podOn('web', { containers: [{ name: 'app', image: 'busybox:1' }] }));
    await h.until(async () => (await h!.pod('web')).status?.phase === 'Running', { what: 'Running' });
    const pod = await h.pod('web');
    const cs = pod.status!.containerStatuses![0]!;
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.match(cs.containerID!, /^sim:\/\//);
    assert.match(cs.imageID, /^sha256:/);
    assert.equal(pod.status!.hostIP, '192.168.1.10');
    assert.match(pod.status!.podIP!, /^10\.42\.0\./);
    const conds = Object.fromEntries(pod.status!.conditions!.map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True' });
    await h.kubelet.recorder.flush();
    const events = (await h.admin.resource('events').list('default')).items as (KubeObject & { reason: string; source: { component: string; host: string } })[];
    const reasons = events.map((e) => e.reason);
    for (const r of ['Pulling', 'Pulled', 'Created', 'Started']) assert.ok(reasons.includes(r), `event ${r} in ${reasons}`);
    assert.deepEqual(events[0]!.source, { component: 'kubelet', host: 'node1' });
  });

  it('ends a run-once pod Succeeded with reason Completed, and a failing one Failed with Error', async () => {
    h = await harness({ behavior: (c) => ({ exitCode: c.name === 'bad' ? 2 : 0, runMs: 0 }) });
    await h.admin.resource('pods').create('default', podOn('ok', { restartPolicy: 'Never', containers: [{ name: 'good', image: 'busybox:1' }] }));
    await h.admin.resource('pods').create('default', podOn('ko', { restartPolicy: 'Never', containers: [{ name: 'bad', image: 'busybox:1' }] }));
    await h.until(async () => (await h!.pod('ok')).status?.phase === 'Succeeded' && (await h!.pod('ko')).status?.phase === 'Failed', { what: 'terminal phases' });
    assert.equal(stateOf(await h.pod('ok'), 'good'), 'terminated:Completed');
    assert.equal(stateOf(await h.pod('ko'), 'bad'), 'terminated:Error');
    const ready = (await h.pod('ok')).status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'PodCompleted');
  });

  it('restarts a crashing container with back-off 10, 20, 40 … 300 s and shows CrashLoopBackOff', async () => {
    h = await harness();
    await h.admin.resource('pods').create('default', podOn('crash', { containers: [{ name: 'c', image: 'busybox:1' }] }));
    const crash = async () => {
      for (const c of await h!.runtime.listContainers()) if (c.state === 'running') h!.runtime.kill(c.id, 1);
    };
    await h.until(async () => {
      await crash();
      return (h!.starts.get('c')?.length ?? 0) >= 9;
    }, { stepMs: 1000, maxMs: 1_500_000, what: '9 starts' });
    await crash();
    const times = h.starts.get('c')!;
    const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]!) / 1000));
    const expected = [0, 10, 20, 40, 80, 160, 300, 300];
    gaps.forEach((g, i) => assert.ok(g >= expected[i]! && g <= expected[i]! + 3, `gap ${i}: ${g}s, want about ${expected[i]}s (all: ${gaps})`));
    await h.until(async () => stateOf(await h!.pod('crash'), 'c') === 'waiting:CrashLoopBackOff', { what: 'CrashLoopBackOff' });
    const pod = await h.pod('crash');
    const cs = pod.status!.containerStatuses![0]!;
    assert.equal(pod.status!.phase, 'Running');
    assert.ok(cs.restartCount >= 8);
    assert.equal(cs.lastState.terminated?.reason, 'Error');
    assert.match(cs.state.waiting!.message!, /^back-off 300s restarting failed container=c pod=crash_default\(/);
  });

  it('runs init containers in order, then a sidecar beside the main container', async () => {
    h = await harness({ behavior: (c) => (c.name.startsWith('init') ? { exitCode: 0, runMs: 0 } : {}) });
    await h.admin.resource('pods').create(
      'default',
      podOn('init', {
        initContainers: [
          { name: 'init-a', image: 'busybox:1' },
          { name: 'side', image: 'busybox:1', restartPolicy: 'Always' },
          { name: 'init-b', image: 'busybox:1' },
        ],
        containers: [{ name: 'main', image: 'busybox:1' }],
      }),
    );
    await h.until(async () => (await h!.pod('init')).status?.phase === 'Running' && stateOf(await h!.pod('init'), 'main') === 'running', { what: 'Running' });
    const order = [...h.starts].map(([name, t]) => [name, t[0]!] as const).sort((a, b) => a[1] - b[1]).map(([n]) => n);
    assert.deepEqual(order, ['init-a', 'side', 'init-b', 'main']);
    const pod = await h.pod('init');
    assert.equal(stateOf(pod, 'init-a'), 'terminated:Completed');
    assert.equal(stateOf(pod, 'side'), 'running');
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
  });

  it('shows PodInitializing while an init container runs, and fails the pod under Never when it fails', async () => {
    h = await harness({ behavior: (c) => (c.name === 'init' ? { exitCode: 3, runMs: 0 } : {}) });
    await h.admin.resource('pods').create('default', podOn('initfail', { restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'busybox:1' }], containers: [{ name: 'main', image: 'busybox:1' }] }));
    await h.until(async () => (await h!.pod('initfail')).status?.phase === 'Failed', { what: 'Failed' });
    const pod = await h.pod('initfail');
    assert.equal(stateOf(pod, 'init'), 'terminated:Error');
    assert.equal(stateOf(pod, 'main'), 'waiting:PodInitializing');
    assert.equal(h.starts.get('main'), undefined);
  });

  it('stops regular containers before sidecars, then deletes the pod with grace 0', async () => {
    h = await harness();
    await h.admin.resource('pods').create(
      'default',
      podOn('term', {
        initContainers: [
          { name: 'side1', image: 'busybox:1', restartPolicy: 'Always' },
          { name: 'side2', image: 'busybox:1', restartPolicy: 'Always' },
        ],
        containers: [{ name: 'main', image: 'busybox:1', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 1'] } } } }],
      }),
    );
    await h.until(async () => (await h!.pod('term')).status?.phase === 'Running', { what: 'Running' });
    const stops: string[] = [];
    const execs: string[] = [];
    const names = new Map((await h.runtime.listContainers()).map((c) => [c.id, c.name]));
    const stop = h.runtime.stopContainer.bind(h.runtime);
    h.runtime.stopContainer = async (id: string, timeout?: number) => {
      stops.push(`${names.get(id)}:${timeout}`);
      await (stop as (id: string, t?: number) => Promise<void>)(id, timeout);
    };
    const exec = h.runtime.exec.bind(h.runtime);
    h.runtime.exec = async (id, o) => {
      execs.push(names.get(id)!);
      return exec(id, o);
    };
    await h.admin.resource('pods').delete('default', 'term', { gracePeriodSeconds: 20 });
    await h.until(async () => (await h!.admin.resource('pods').list('default')).items.length === 0, { what: 'pod gone' });
    assert.deepEqual(stops, ['main:20', 'side2:20', 'side1:20']);
    assert.deepEqual(execs, ['main']);
    await h.until(async () => (await h!.runtime.listContainers()).length === 0, { what: 'containers removed' });
    await h.kubelet.recorder.flush();
    const killing = (await h.admin.resource('events').list('default')).items.filter((e) => e.reason === 'Killing');
    assert.equal(killing.length, 3);
  });

  it('fails a pod past activeDeadlineSeconds with DeadlineExceeded', async () => {
    h = await harness();
    await h.admin.resource('pods').create('default', podOn('deadline', { activeDeadlineSeconds: 30, containers: [{ name: 'app', image: 'busybox:1' }] }));
    await h.until(async () => (await h!.pod('deadline')).status?.phase === 'Failed', { stepMs: 2000, what: 'Failed' });
    const pod = await h.pod('deadline');
    assert.equal(pod.status!.reason, 'DeadlineExceeded');
    assert.equal(pod.status!.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal((await h.runtime.listContainers()).filter((c) => c.state === 'running').length, 0);
  });

  it('reports ErrImagePull then ImagePullBackOff for an image that cannot be pulled', async () => {
    h = await harness();
    (h.runtime as unknown as { options: { pullable: (i: string) => boolean } }).options.pullable = (image) => !image.startsWith('nope');
    await h.admin.resource('pods').create('default', podOn('img', { containers: [{ name: 'app', image: 'nope/missing:1' }] }));
    await h.until(async () => stateOf(await h!.pod('img'), 'app') === 'waiting:ImagePullBackOff', { what: 'ImagePullBackOff' });
    await h.kubelet.recorder.flush();
    const messages = (await h.admin.resource('events').list('default')).items.map((e) => `${e.reason}: ${e.message}`);
    assert.ok(messages.includes('Failed: Error: ErrImagePull'), messages.join('\n'));
    assert.ok(messages.includes('BackOff: Back-off pulling image "nope/missing:1"'), messages.join('\n'));
    assert.equal((await h.pod('img')).status!.phase, 'Pending');
  });
});
