/**
 * TLS for the harness's TCP connections: the options a scenario gives (`tls:` and
 * `starttls:`), the server side's context, and one bounded wait for a handshake that
 * ends in a clear result (`tls-handshake` with the reason OpenSSL or Node gave).
 */
import { isIP } from 'node:net';
import { checkServerIdentity, createSecureContext, type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import { onAbort as whenAborted } from './waiter.js';

/** How the harness, as a TLS client, checks the server. */
export type TlsClientOptions = {
  /** The name checked against the certificate and sent as SNI (not sent when it is an IP address); default: the host connected to. */
  servername?: string;
  /** Trusted CA certificates (PEM contents); default: the system's. */
  ca?: string | Buffer;
  /** Accept any certificate. */
  insecure?: boolean;
  /** Protocols offered by ALPN, in order of preference. */
  alpn?: string[];
};

/** What the harness serves TLS with: a certificate and its key (PEM), and the ALPN protocols it accepts. */
export type TlsServerOptions = { cert: string | Buffer; key: string | Buffer; alpn?: string[] };

/** A server side made once and used for every connection it serves. */
export type TlsServer = { context: SecureContext; alpn?: string[] };

/** How a handshake ended. */
export type TlsResult = { ok: true } | { ok: false; code: 'tls-handshake' | 'timeout' | 'aborted'; message: string };

/** The context for serving TLS with `options`. */
export function tlsServer(options: TlsServerOptions): TlsServer {
  return { context: createSecureContext({ cert: options.cert, key: options.key }), ...(options.alpn ? { alpn: options.alpn } : {}) };
}

/** node:tls connect options for talking to `host` as `options` say. */
export function clientOptions(host: string, options: TlsClientOptions): ConnectionOptions {
  const name = options.servername ?? host;
  return {
    ...(isIP(name) ? {} : { servername: name }),
    checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    rejectUnauthorized: options.insecure !== true,
    ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
  };
}

/** A handshake error as a reader wants it: OpenSSL's reason (e.g. "self-signed certificate", "hostname mismatch") and its code. */
export function handshakeProblem(e: NodeJS.ErrnoException & { reason?: string }): string {
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `hostname mismatch: ${e.message}`;
  return `${e.reason ?? e.message} (${e.code ?? 'error'})`;
}

/** What a finished handshake agreed on, for the transcript. */
export function tlsSummary(socket: TLSSocket, isServer: boolean): string {
  const alpn = socket.alpnProtocol ? `, ALPN ${socket.alpnProtocol}` : '';
  const checked = isServer ? '' : socket.authorized ? ', certificate verified' : `, certificate not verified (${String(socket.authorizationError)})`;
  return `tls ${socket.getProtocol() ?? 'unknown'}${checked}${alpn}`;
}

/**
 * Wait at most `timeoutMs` for `socket`'s handshake: `secureConnect` on a client (after the
 * certificate check), `secure` on a server. A socket whose handshake failed is destroyed.
 */
export function secured(socket: TLSSocket, event: 'secureConnect' | 'secure', timeoutMs: number, signal?: AbortSignal): Promise<TlsResult> {
  return new Promise((resolve) => {
    const finish = (r: TlsResult) => {
      clearTimeout(timer);
      forget();
      socket.removeListener(event, onReady);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (!r.ok) {
        socket.on('error', () => {});
        socket.destroy();
      }
      resolve(r);
    };
    const onReady = () => finish({ ok: true });
    const onError = (e: NodeJS.ErrnoException) => finish({ ok: false, code: 'tls-handshake', message: handshakeProblem(e) });
    const onClose = () => finish({ ok: false, code: 'tls-handshake', message: 'the connection closed during the TLS handshake' });
    const onAbort = () => finish({ ok: false, code: 'aborted', message: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, code: 'timeout', message: `no TLS handshake within ${timeoutMs} ms` }), timeoutMs);
    let forget = () => {};
    if (signal?.aborted) return onAbort();
    forget = whenAborted(signal, onAbort);
    socket.once(event, onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}
