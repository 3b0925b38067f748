import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runcErrorText } from './runc.js';

describe('runcErrorText', () => {
  test('takes the message out of a logrus error line, unescaped', () => {
    const stderr = 'time="2026-11-22T18:59:01Z" level=warning msg="x"\ntime="2026-11-22T18:59:01Z" level=error msg="runc create failed: exec: \\"/bin/nope\\": no such file or directory"\n';
    assert.equal(runcErrorText(stderr), 'runc create failed: exec: "/bin/nope": no such file or directory');
  });

  test('takes the message of a JSON log line', () => {
    assert.equal(runcErrorText('{"level":"error","msg":"container not running","time":"t"}\n'), 'container not running');
  });

  test('keeps plain text as it is', () => {
    assert.equal(runcErrorText('  container "x" does not exist\n'), 'container "x" does not exist');
  });
});
