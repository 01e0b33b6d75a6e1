// Minimal typing for http_ece (Encrypted Content-Encoding for HTTP, RFC 8188), which ships no types.
// It is a CommonJS module (`module.exports = { decrypt, encrypt }`), hence `export =`.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';

  namespace ece {
    interface EceParams {
      version: 'aes128gcm' | 'aesgcm';
      /** The receiver's ECDH key pair (decrypt) or the sender's (encrypt). */
      privateKey?: ECDH;
      /** The other side's public key; aes128gcm decryption reads it from the body header instead. */
      dh?: string | Buffer;
      /** The 16-byte subscription auth secret, as a Buffer or a base64url string. */
      authSecret?: string | Buffer;
      salt?: string | Buffer;
      rs?: number;
    }
    function decrypt(buffer: Buffer, params: EceParams): Buffer;
    function encrypt(buffer: Buffer, params: EceParams): Buffer;
  }
  export = ece;
}
