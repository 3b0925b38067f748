import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostsFile, resolvConfFile } from './sandbox-files.js';

test('/etc/hosts names the pod and lists hostAliases', () => {
  const text = hostsFile({ hostname: 'web', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo', 'bar'] }] }, ['10.42.0.5']);
  assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(text, /^10\.42\.0\.5\tweb$/m);
  assert.match(text, /^10\.1\.2\.3\tfoo\tbar$/m);
});

test('/etc/resolv.conf from the pod DNS settings, the host file when there are none', () => {
  const host = 'nameserver 1.1.1.1\n';
  assert.equal(resolvConfFile({ servers: [], searches: [], options: [] }, host), host);
  assert.equal(
    resolvConfFile({ servers: ['10.43.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] }, host),
    'search default.svc.cluster.local svc.cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n',
  );
});
