import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway self-signed certificate for 127.0.0.1 / localhost; the certificate is its own CA. */
export interface SelfSignedCert {
  keyPem: string;
  certPem: string;
  /** Path of the certificate PEM, usable as NODE_EXTRA_CA_CERTS for a child process. */
  certFile: string;
  /** Deletes the temporary directory holding the key and the certificate. */
  dispose(): Promise<void>;
}

/** Makes a P-256 certificate valid for 2 days with openssl, in a fresh temporary directory. */
export async function createSelfSignedCert(): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'crisisklaar-fake-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  // prettier-ignore
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ]);
  const [keyPem, certPem] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
  return { keyPem, certPem, certFile, dispose: () => rm(dir, { recursive: true, force: true }) };
}
