import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeError } from './logger';

test('a logged error keeps what explains it and drops the request it carried', () => {
  const cause = Object.assign(new Error('getaddrinfo ENOTFOUND api.example'), { code: 'ENOTFOUND' });
  const err = Object.assign(new Error('request failed', { cause }), {
    status: 401,
    config: { headers: { Authorization: 'Basic c2VjcmV0OnBhc3N3b3Jk' }, data: '{"text":"my phone is +905551112233"}' },
    request: { _header: 'GET / HTTP/1.1\r\nAuthorization: Basic c2VjcmV0OnBhc3N3b3Jk' },
  });
  const logged = JSON.stringify(serializeError(err));
  assert.doesNotMatch(logged, /c2VjcmV0|905551112233|Authorization/);
  assert.deepEqual(
    { ...(serializeError(err) as object), stack: undefined, cause: { ...((serializeError(err) as { cause: object }).cause), stack: undefined } },
    { type: 'Error', message: 'request failed', status: 401, stack: undefined, cause: { type: 'Error', message: 'getaddrinfo ENOTFOUND api.example', code: 'ENOTFOUND', stack: undefined } },
  );
});
