/**
 * The certificate the harness serves TLS with: made per run by the openssl command for
 * CN=localhost (SAN DNS:localhost, IP:127.0.0.1), self-signed, in a folder of its own
 * that close() removes. Its PEM file is what `{tls-ca}` names.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and key for localhost, as files and as PEM contents. */
export type RunCertificate = {
  /** The certificate's PEM file: also the CA a client trusts (`{tls-ca}`). */
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
  /** Remove the folder holding both files. */
  close(): Promise<void>;
};

/** Make a fresh certificate, waiting at most `timeoutMs` for openssl. */
export async function makeCertificate(timeoutMs = 10_000): Promise<RunCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'sockspec-tls-'));
  const close = () => rm(dir, { recursive: true, force: true });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '7',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath];
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('openssl', args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, _out, stderr) => {
        if (!err) return resolve();
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the openssl command is not installed' : err.killed ? `openssl took more than ${timeoutMs} ms` : stderr.trim() || err.message;
        reject(new Error(`cannot make the TLS certificate: ${why}`));
      });
    });
    const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]);
    return { certPath, keyPath, cert, key, close };
  } catch (e) {
    await close();
    throw e;
  }
}
