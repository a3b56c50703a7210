// Installs npm dependencies when they are missing or stale. Plain JavaScript, not TypeScript: it runs before
// node_modules (and so tsx) exists. It touches the network only through `npm ci`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lockFile = join(root, 'package-lock.json');
const modules = join(root, 'node_modules');
const stamp = join(modules, '.autocloser-install-stamp');
const lockHash = createHash('sha256').update(readFileSync(lockFile)).digest('hex');

function upToDate() {
  if (!existsSync(modules)) return false;
  if (existsSync(stamp)) return readFileSync(stamp, 'utf8').trim() === lockHash;
  // Installed by hand before this script existed: npm's own record of the tree is newer than the lock file.
  const npmRecord = join(modules, '.package-lock.json');
  return existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lockFile).mtimeMs;
}

if (!upToDate()) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    console.error(`npm ci failed (${result.error?.message ?? `exit code ${result.status}`})`);
    process.exit(result.status || 1);
  }
}
mkdirSync(modules, { recursive: true });
writeFileSync(stamp, `${lockHash}\n`);

// The dashboard is served built; rebuild it when its sources or the dependencies changed.
const dashboard = join(root, 'dashboard');
if (existsSync(join(dashboard, 'index.html'))) {
  const hash = createHash('sha256').update(lockHash);
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'dist' || name === 'node_modules') continue;
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(name).update(readFileSync(file));
    }
  };
  walk(dashboard);
  const sourceHash = hash.digest('hex');
  const built = join(dashboard, 'dist', '.source-hash');
  if (!existsSync(built) || readFileSync(built, 'utf8').trim() !== sourceHash) {
    console.log('Building the dashboard…');
    const result = spawnSync(process.execPath, [join(modules, 'vite', 'bin', 'vite.js'), 'build', '--config', join(dashboard, 'vite.config.ts'), '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      console.error('The dashboard did not build; see the errors above.');
      process.exit(result.status || 1);
    }
    writeFileSync(built, `${sourceHash}\n`);
  }
}

// The phone app's web build, served at /m/: rebuilt the same way, and also when the client code it shares changes.
const mobile = join(root, 'mobile');
if (existsSync(join(mobile, 'index.html'))) {
  const hash = createHash('sha256').update(lockHash);
  const skip = new Set(['dist', 'node_modules', 'android', 'ios']);
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      if (skip.has(name)) continue;
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(file.slice(root.length)).update(readFileSync(file));
    }
  };
  walk(mobile);
  walk(join(root, 'client'));
  const sourceHash = hash.digest('hex');
  const built = join(mobile, 'dist', 'web', '.source-hash');
  if (!existsSync(built) || readFileSync(built, 'utf8').trim() !== sourceHash) {
    console.log('Building the mobile app (for /m/ and for the native shells)…');
    // Both targets, so `npx cap sync` in mobile/ finds its web assets on a fresh clone.
    for (const target of ['native', 'web']) {
      const result = spawnSync(process.execPath, [join(modules, 'vite', 'bin', 'vite.js'), 'build', '--config', join(mobile, 'vite.config.ts'), '--logLevel', 'warn'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, MOBILE_TARGET: target },
      });
      if (result.status !== 0) {
        console.error('The mobile app did not build; see the errors above.');
        process.exit(result.status || 1);
      }
    }
    writeFileSync(built, `${sourceHash}\n`);
  }
}
