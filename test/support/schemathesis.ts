/**
 * Schemathesis, the property-based API fuzzer (Python, from PyPI), in a
 * project-local virtual environment: `.cache/schemathesis/<version>/venv`,
 * created with `python3 -m venv` and filled by pip with the pinned release
 * the first time it is needed, like every tool in tools/binaries.ts.
 */
import path from 'node:path';
import { cacheRoot, ensureBinary, repoRoot, run, type BinarySpec } from '../../tools/binaries';

export const SCHEMATHESIS_VERSION = '4.32.5';

type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`[schemathesis] ${line}\n`);

const schemathesisSpec: BinarySpec = {
  label: 'schemathesis',
  binName: path.join('venv', 'bin', 'python'),
  envVar: 'SCHEMATHESIS_PYTHON',
  version: SCHEMATHESIS_VERSION,
  sources: [
    {
      kind: 'pip-venv',
      requirement: `schemathesis==${SCHEMATHESIS_VERSION}`,
      constraints: path.join(repoRoot, 'test', 'support', 'schemathesis-constraints.txt'),
      cacheDir: path.join(cacheRoot, 'schemathesis', SCHEMATHESIS_VERSION),
    },
  ],
  async verify(python) {
    const { stdout } = await run(python, ['-m', 'schemathesis.cli', '--version'], { timeoutMs: 60_000 });
    if (!stdout.includes(SCHEMATHESIS_VERSION)) throw new Error(`expected schemathesis ${SCHEMATHESIS_VERSION}, got ${stdout.trim().slice(0, 200)}`);
    return SCHEMATHESIS_VERSION;
  },
};

/** A python with schemathesis importable; run it as `python -m schemathesis.cli`. */
export function ensureSchemathesis(log: Log = defaultLog): Promise<string> {
  return ensureBinary(schemathesisSpec, log);
}
