/**
 * The merchant phone app (mobile/):
 *   npm run mobile:build            builds the web app for /m/ (mobile/dist/web) and for the native shells (mobile/dist/native)
 *   npm run mobile:sync             builds, then `cap sync`: copies the build and the plugins into mobile/android and mobile/ios
 *   tsx scripts/mobile.ts cap <…>   any Capacitor CLI command, run in mobile/ (e.g. `cap open android`, `cap run ios`)
 *   tsx scripts/mobile.ts icons     renders the app icons and splash screens from mobile/assets/*.svg
 *
 * The Capacitor CLI 8 needs Node 22 or newer; with an older node this runs it
 * with one fetched into .cache/ (tools/node.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../tools/binaries';
import { ensureModernNode } from '../tools/node';

export const mobileDir = path.join(repoRoot, 'mobile');
const capacitorCli = path.join(repoRoot, 'node_modules', '@capacitor', 'cli', 'bin', 'capacitor');
const viteCli = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');

function exec(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? repoRoot, env: opts.env ?? process.env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`))));
  });
}

/** Builds one target of the app: `web` for /m/, `native` for the Capacitor shells. */
export function buildMobile(target: 'web' | 'native'): Promise<void> {
  return exec(process.execPath, [viteCli, 'build', '--config', path.join(mobileDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    env: { ...process.env, MOBILE_TARGET: target },
  });
}

/** Runs the Capacitor CLI in mobile/ with a Node it accepts. */
export async function capacitor(args: string[], opts: { cwd?: string } = {}): Promise<void> {
  const node = await ensureModernNode();
  await exec(node, [capacitorCli, ...args], { cwd: opts.cwd ?? mobileDir });
}

async function main(): Promise<void> {
  const [command = 'build', ...rest] = process.argv.slice(2);
  switch (command) {
    case 'build':
      await buildMobile('web');
      await buildMobile('native');
      break;
    case 'sync':
      await buildMobile('native');
      await capacitor(['sync', ...rest]);
      break;
    case 'cap':
      await capacitor(rest);
      break;
    case 'icons': {
      const { renderMobileAssets } = await import('./mobile-assets');
      await renderMobileAssets();
      break;
    }
    default:
      throw new Error(`unknown command "${command}": use build, sync, cap or icons`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
