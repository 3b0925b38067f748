import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createRuntime } from './create-runtime.js';
import { findOnPath } from './find-on-path.js';

test('createRuntime picks a runtime and says why', () => {
  const logger = pino({ level: 'silent' });
  const dataDir = '/nonexistent/skiff-create-runtime';
  assert.equal(createRuntime({ dataDir, logger, prefer: 'sim' }).runtime.name, 'sim');
  assert.equal(createRuntime({ dataDir, logger, prefer: 'host' }).runtime.name, 'host');
  const auto = createRuntime({ dataDir, logger });
  const ociPossible = process.getuid?.() === 0 && findOnPath('runc') !== undefined;
  assert.equal(auto.runtime.name, ociPossible ? 'oci' : 'host');
  if (ociPossible) assert.match(auto.why, /^runc found and running as root; containers watched by (conmon|Skiff's shim \(conmon not installed\))$/);
  else assert.throws(() => createRuntime({ dataDir, logger, prefer: 'oci' }), /--container-runtime oci: the oci runtime cannot run/);
  assert.throws(() => createRuntime({ dataDir, logger, prefer: 'docker' as never }), /want auto, oci, host or sim, got "docker"/);
});
