/**
 * Helm: renders and lints the chart in `deploy/helm/autocloser/`. Built from
 * the Go module proxy like the project's other Go tools.
 *
 * The flags are those of Helm's own Makefile: without them the binary reports
 * no version, and it lints and renders against Kubernetes 1.20 (the source's
 * default) instead of the version its client libraries speak, so
 * `.Capabilities.KubeVersion` and the deprecation checks would be years out
 * of date.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { cacheRoot, ensureBinary, exe, run, type BinarySpec, type Log } from './binaries';

export const HELM_VERSION = 'v3.22.0';
/** The Kubernetes minor version of the client-go that Helm release is built on (`k8s.io/client-go v0.37`). */
export const HELM_KUBE_MINOR = '37';

const LDFLAGS = [
  '-s -w',
  `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
  '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
  `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1`,
  `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${HELM_KUBE_MINOR}`,
  `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1`,
  `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${HELM_KUBE_MINOR}`,
].join(' ');

const defaultLog: Log = (msg) => process.stderr.write(`[helm] ${msg}\n`);

const helmSpec: BinarySpec = {
  label: 'Helm',
  binName: exe('helm'),
  envVar: 'HELM_PATH',
  version: HELM_VERSION,
  sources: [
    {
      kind: 'go',
      module: `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`,
      ldflags: LDFLAGS,
      // The module asks for Go 1.26; an older local Go fetches that toolchain from the proxy.
      env: { GOTOOLCHAIN: 'auto' },
      cacheDir: path.join(cacheRoot, 'helm', HELM_VERSION),
    },
  ],
  async verify(bin) {
    const { stdout } = await run(bin, ['version', '--short'], { timeoutMs: 30_000, env: isolatedEnv() });
    const version = /^v3\.\d+\.\d+/.exec(stdout.trim())?.[0];
    if (!version) throw new Error(`unexpected version output: ${stdout.trim().slice(0, 200)}`);
    return version;
  },
};

/**
 * Helm reads repositories, plugins and a kubeconfig from the user's home;
 * rendering a local chart needs none of them, so every run gets empty
 * directories of its own and never touches (or depends on) the user's setup.
 */
function isolatedEnv(): NodeJS.ProcessEnv {
  const home = path.join(cacheRoot, 'helm', 'home');
  return {
    ...process.env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: path.join(home, 'no-kubeconfig'),
  };
}

/** Absolute path to a Helm 3 binary: $HELM_PATH, then PATH, then `.cache/helm/<version>`, then `go install`. */
export function ensureHelm(log: Log = defaultLog): Promise<string> {
  return ensureBinary(helmSpec, log);
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `helm <args>` and reports whether it succeeded; a non-zero exit is a
 * result (a lint finding, a rejected value), not an exception, so callers can
 * assert on failures too.
 */
export async function runHelm(args: string[], opts: { cwd?: string; log?: Log } = {}): Promise<HelmResult> {
  const bin = await ensureHelm(opts.log ?? defaultLog);
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: opts.cwd, env: isolatedEnv(), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout, stderr });
      if (typeof err.code === 'number' && !err.killed) return resolve({ ok: false, stdout, stderr });
      reject(new Error(`helm ${args.join(' ')} failed to run (${err.message}): ${stderr.trim()}`));
    });
  });
}
