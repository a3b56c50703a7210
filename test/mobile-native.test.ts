import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../config/env';
import { buildMobile, capacitor, mobileDir } from '../scripts/mobile';

const run = promisify(execFile);

/** Every file of the native projects that git would commit (tracked, or new and not ignored), with its content hash. */
async function committable(): Promise<Map<string, string>> {
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', 'mobile/android', 'mobile/ios'], { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024 });
  const files = new Map<string, string>();
  for (const file of stdout.split('\0').filter(Boolean)) {
    const full = path.join(repoRoot, file);
    if (existsSync(full)) files.set(file, createHash('sha256').update(await readFile(full)).digest('hex'));
  }
  return files;
}

/**
 * The committed Android and iOS projects stay in step with the npm packages:
 * `npm run mobile:sync` (the native build, then `cap sync`) works from the
 * repository as cloned and changes no file that is committed. Everything it
 * writes (the web build, plugin lists, capacitor.config.json) is ignored.
 */
describe('the native projects', () => {
  test('cap sync succeeds and leaves the committed files as they are', { timeout: 300_000 }, async () => {
    const before = await committable();
    assert.ok(before.has('mobile/android/app/build.gradle'), 'the Android project is there');
    assert.ok(before.has('mobile/ios/App/App.xcodeproj/project.pbxproj'), 'the iOS project is there');
    assert.ok(before.has('mobile/ios/App/App/App.entitlements'), 'the iOS push entitlement is there');
    assert.ok(!before.has('mobile/android/app/google-services.json'), 'the Firebase configuration is never committed');

    await buildMobile('native');
    await capacitor(['sync']);

    const after = await committable();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
    assert.deepEqual(changed, [], 'cap sync changed committed files');
    // What sync writes, and .gitignore keeps out of commits.
    assert.ok(existsSync(path.join(mobileDir, 'android', 'app', 'src', 'main', 'assets', 'public', 'index.html')));
    assert.ok(existsSync(path.join(mobileDir, 'ios', 'App', 'App', 'public', 'index.html')));
    const config = JSON.parse(await readFile(path.join(mobileDir, 'android', 'app', 'src', 'main', 'assets', 'capacitor.config.json'), 'utf8')) as { appId: string; appName: string };
    assert.equal(config.appId, 'io.autocloser.merchant');
    assert.equal(config.appName, 'AutoCloser');
  });
});
