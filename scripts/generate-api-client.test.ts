import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderApiSchema, schemaFile } from './generate-api-client';

test('client/api/schema.d.ts matches the OpenAPI document the server serves', async () => {
  const committed = readFileSync(schemaFile, 'utf8');
  const fresh = await renderApiSchema();
  if (committed !== fresh) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(
      `client/api/schema.d.ts is stale (first difference at line ${line + 1}: ${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}); run \`npm run generate:client\` and commit the result`,
    );
  }
});
