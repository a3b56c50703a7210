/**
 * A throwaway TLS certificate for local HTTPS and HTTP/2 peers. Node can
 * make keys but not X.509 certificates, so the machine's `openssl` signs a
 * self-signed one for 127.0.0.1 and localhost; clients under test trust it by
 * passing `cert` as their CA, never by turning verification off.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../tools/binaries';

export interface TestCertificate {
  key: string;
  cert: string;
}

let pending: Promise<TestCertificate> | null = null;

/** One certificate per test process; generating is ~50 ms but there is no reason to repeat it. */
export function testCertificate(): Promise<TestCertificate> {
  pending ??= generate();
  return pending;
}

async function generate(): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'test-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await run(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { timeoutMs: 30_000 },
    ).catch((err: unknown) => {
      throw new Error(`the TLS peers need openssl on PATH to make a test certificate: ${(err as Error).message}`, { cause: err });
    });
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
