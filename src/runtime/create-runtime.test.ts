import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createRuntime } from './create-runtime.js';

test('createRuntime picks a runtime and says why', () => {
  const logger = pino({ level: 'silent' });
  const dataDir = '/nonexistent/skiff-create-runtime';
  assert.equal(createRuntime({ dataDir, logger, prefer: 'sim' }).runtime.name, 'sim');
  assert.equal(createRuntime({ dataDir, logger, prefer: 'host' }).runtime.name, 'host');
  const auto = createRuntime({ dataDir, logger });
  assert.ok(['oci', 'host'].includes(auto.runtime.name));
  assert.ok(auto.why.length > 0);
  if (auto.runtime.name === 'host') assert.throws(() => createRuntime({ dataDir, logger, prefer: 'oci' }), /oci runtime cannot run/);
});
