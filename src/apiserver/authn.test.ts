import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Authenticator, parseTokenFile } from './authn.js';

describe('parseTokenFile', () => {
  it('reads upstream static token CSV lines', () => {
    const entries = parseTokenFile('t1,alice,uid-1,"dev,ops"\n\nt2,bob,uid-2\r\n,empty,uid-3\nt3,"carol, jr",uid-4,viewers');
    assert.deepEqual(entries, [
      { token: 't1', user: { name: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] } },
      { token: 't2', user: { name: 'bob', uid: 'uid-2', groups: [] } },
      { token: 't3', user: { name: 'carol, jr', uid: 'uid-4', groups: ['viewers'] } },
    ]);
  });

  it('rejects a line with fewer than three columns', () => {
    assert.throws(() => parseTokenFile('ok,a,1\nbad,b\n', '/etc/tokens.csv'), /token file '\/etc\/tokens.csv' must have at least 3 columns .* found 2 on line 2/);
  });
});

describe('Authenticator', () => {
  it('takes the user from a verified client certificate', () => {
    const authn = new Authenticator();
    assert.deepEqual(authn.authenticate({ certificateSubject: { CN: 'admin', O: 'system:masters' } }), {
      name: 'admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    assert.deepEqual(authn.authenticate({ certificateSubject: { CN: 'system:node:n1', O: ['system:nodes', 'extra'] } }), {
      name: 'system:node:n1',
      groups: ['system:nodes', 'extra', 'system:authenticated'],
    });
  });

  it('accepts known bearer tokens from a token file and from code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-authn-'));
    try {
      const file = join(dir, 'tokens.csv');
      await writeFile(file, 'secret-1,alice,u1,"dev,ops"\n');
      const authn = await Authenticator.fromTokenFile(file, [{ token: 'join-token', user: { name: 'node-joiner', groups: ['system:bootstrappers'] } }]);
      assert.deepEqual(authn.authenticate({ authorization: 'Bearer secret-1' }), { name: 'alice', uid: 'u1', groups: ['dev', 'ops', 'system:authenticated'] });
      assert.deepEqual(authn.authenticate({ authorization: 'bearer join-token' }), { name: 'node-joiner', groups: ['system:bootstrappers', 'system:authenticated'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tells rejected credentials (false) from none (undefined)', () => {
    const authn = new Authenticator([{ token: 'good', user: { name: 'u', groups: [] } }]);
    assert.equal(authn.authenticate({}), undefined);
    assert.equal(authn.authenticate({ authorization: 'Bearer bad' }), false);
    assert.equal(authn.authenticate({ authorization: 'Basic dTpw' }), false);
    assert.equal(authn.authenticate({ authorization: 'Bearer goodx' }), false);
    assert.equal(authn.authenticate({ certificateError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', authorization: 'Bearer good' }), false);
  });
});
