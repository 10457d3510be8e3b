// WebCrypto (SubtleCrypto) for Parley.Web's WebCryptoBackend, called from C# through [JSImport].
//
// Why this module exists: in WebAssembly, managed AES-GCM runs at about 10 MB/s; the browser's
// native implementation is two orders of magnitude faster. The C# side validates shapes and turns
// the values returned here (null, false) into the backend interface's failure values.
//
// Conventions:
// - Byte inputs arrive as MemoryViews over the .NET heap. A Span view is only valid during the
//   synchronous part of the call, and the heap's buffer is replaced when it grows, so every input
//   is copied with .slice() before the first await. The bulk input of a segment batch is instead
//   read in place, by address, in the synchronous part (see aesGcmSealSegments).
// - C# cannot pass a Span to an import that returns a Task, so it calls each async function
//   synchronously, holds the returned Promise as a JSObject and hands it to observe().
// - Bulk results are returned as JS objects (Uint8Array, or arrays of ArrayBuffers) and copied into
//   the .NET heap by a second, synchronous call (copyTo, copyParts) that receives a fresh view.
// - Expected failures (authentication, invalid points, bad signatures) resolve to null or false;
//   anything else rejects and surfaces in C# as a JSException, because it is a bug.

const subtle = globalThis.crypto.subtle;
// The .NET runtime that imported this module (Blazor starts exactly one).
const dotnetRuntime = globalThis.getDotnetRuntime(0);
const AES_GCM = 'AES-GCM';
const NONCE_SIZE = 12;
const P384 = { kty: 'EC', crv: 'P-384' };

// WebCrypto reports a failed tag check, an off-curve point or an inconsistent key as a DOMException
// named OperationError or DataError; those are the outcomes the caller must see as values.
function isRejectedInput(error) {
  return error instanceof DOMException && (error.name === 'OperationError' || error.name === 'DataError');
}

function wipe(bytes) {
  bytes.fill(0);
}

// ---------------------------------------------------------------------------------------------
// Moving results back to .NET.

/**
 * Reports how a Promise settles through two C# callbacks. The Task that .NET would make of the
 * Promise resumes its awaiter through the thread pool, which in the browser is a setTimeout clamped
 * to 4 ms when chained; a direct callback resumes it at once.
 */
export function observe(promise, onResult, onError) {
  promise.then(onResult, error => onError(`${error?.name ?? 'Error'}: ${error?.message ?? error}`));
}

/** Copies a Uint8Array into a MemoryView of exactly its length. */
export function copyTo(source, target) {
  if (source.length !== target.length) throw new RangeError(`Expected ${target.length} bytes, got ${source.length}.`);
  target.set(source);
  wipe(source);
}

/**
 * Copies the leading non-null parts (ArrayBuffers) back to back into a MemoryView and returns how
 * many there were. A null part (a segment that failed to authenticate) stops the copy. Parts that
 * hold plaintext are wiped once copied; ciphertext need not be.
 */
export function copyParts(parts, target, wipeParts) {
  let offset = 0;
  let count = 0;
  for (const part of parts) {
    if (part === null) break;
    const bytes = new Uint8Array(part);
    target.set(bytes, offset);
    if (wipeParts) wipe(bytes);
    offset += bytes.length;
    count++;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// AES-256-GCM.

/** Imports a raw 32-byte key as a non-extractable CryptoKey, so its bytes never come back to JS. */
export function importAesGcmKey(key) {
  const raw = key.slice();
  return subtle.importKey('raw', raw, { name: AES_GCM }, false, ['encrypt', 'decrypt']).finally(() => wipe(raw));
}

/** ciphertext || tag as a Uint8Array. */
export async function aesGcmSeal(key, nonce, plaintext, associatedData) {
  const params = { name: AES_GCM, iv: nonce.slice(), additionalData: associatedData.slice(), tagLength: 128 };
  const data = plaintext.slice();
  try {
    return new Uint8Array(await subtle.encrypt(params, key, data));
  } finally {
    wipe(data);
  }
}

/** The plaintext as a Uint8Array, or null when the tag does not verify. */
export async function aesGcmOpen(key, nonce, ciphertext, associatedData) {
  const params = { name: AES_GCM, iv: nonce.slice(), additionalData: associatedData.slice(), tagLength: 128 };
  try {
    return new Uint8Array(await subtle.decrypt(params, key, ciphertext.slice()));
  } catch (error) {
    if (isRejectedInput(error)) return null;
    throw error;
  }
}

// A batch of segments in one call: the cost of interop and of resuming .NET is paid once per
// batch instead of once per 16 KiB chunk. (Chromium computes AES-GCM inside encrypt() on the
// calling thread, so the crypto itself costs the same either way.)
// Nonces are computed in C# (one 12-byte nonce per segment, back to back) so there is exactly one
// implementation of the counter arithmetic.
//
// The bulk input is read in place from the .NET heap (C# pins it and passes its address) instead
// of through a MemoryView copy: encrypt() and decrypt() copy their input before they return, so a
// view is only needed while this function runs, and a copy here would cost as much as the copy
// back. It also leaves no copy of the plaintext in JS memory.

function segmentBounds(index, count, segmentSize, totalLength) {
  const start = index * segmentSize;
  return [start, index === count - 1 ? totalLength : start + segmentSize];
}

// The heap view is taken per call: growing the heap replaces its buffer.
function heapBytes(address, length) {
  return dotnetRuntime.localHeapViewU8().subarray(address, address + length);
}

/** Encrypts every segment; resolves to an array of ArrayBuffers (ciphertext || tag each). */
export function aesGcmSealSegments(key, nonces, plaintextAddress, plaintextLength, segmentSize) {
  const ivs = nonces.slice();
  const data = heapBytes(plaintextAddress, plaintextLength);
  const count = ivs.length / NONCE_SIZE;
  const operations = new Array(count);
  for (let i = 0; i < count; i++) {
    const [start, end] = segmentBounds(i, count, segmentSize, data.length);
    const iv = ivs.subarray(i * NONCE_SIZE, (i + 1) * NONCE_SIZE);
    operations[i] = subtle.encrypt({ name: AES_GCM, iv, tagLength: 128 }, key, data.subarray(start, end));
  }
  return Promise.all(operations);
}

/** Decrypts every segment; resolves to an array of ArrayBuffers with null for each segment that
 *  failed to authenticate. */
export function aesGcmOpenSegments(key, nonces, ciphertextAddress, ciphertextLength, segmentSize) {
  const ivs = nonces.slice();
  const data = heapBytes(ciphertextAddress, ciphertextLength);
  const count = ivs.length / NONCE_SIZE;
  const encryptedSegmentSize = segmentSize + 16;
  const operations = new Array(count);
  for (let i = 0; i < count; i++) {
    const [start, end] = segmentBounds(i, count, encryptedSegmentSize, data.length);
    const iv = ivs.subarray(i * NONCE_SIZE, (i + 1) * NONCE_SIZE);
    operations[i] = subtle.decrypt({ name: AES_GCM, iv, tagLength: 128 }, key, data.subarray(start, end))
      .catch(error => {
        if (isRejectedInput(error)) return null;
        throw error;
      });
  }
  return Promise.all(operations);
}

// ---------------------------------------------------------------------------------------------
// SHA-2 and HKDF.

/** SHA-256/384/512 of the data. */
export async function digest(hash, data) {
  return new Uint8Array(await subtle.digest(hash, data.slice()));
}

/** RFC 5869 HKDF (Extract then Expand). */
export async function hkdf(hash, ikm, salt, info, length) {
  const raw = ikm.slice();
  const params = { name: 'HKDF', hash, salt: salt.slice(), info: info.slice() };
  try {
    const key = await subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
    return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
  } finally {
    wipe(raw);
  }
}

/**
 * RFC 5869 HKDF-Expand alone: T(i) = HMAC(PRK, T(i-1) || info || i). WebCrypto's HKDF always
 * runs Extract first, and C2SP chunked-encryption uses the input key directly as the PRK, so
 * Expand is composed from HMAC here (§2.3).
 */
export async function hkdfExpand(hash, prk, info, length, hashLength) {
  const raw = prk.slice();
  const infoBytes = info.slice();
  let key;
  try {
    key = await subtle.importKey('raw', raw, { name: 'HMAC', hash }, false, ['sign']);
  } finally {
    wipe(raw);
  }
  const okm = new Uint8Array(length);
  // One buffer holds T(i-1) || info || i; T(0) is empty, so the first message skips that part.
  const input = new Uint8Array(hashLength + infoBytes.length + 1);
  input.set(infoBytes, hashLength);
  for (let counter = 1, written = 0; written < length; counter++) {
    input[input.length - 1] = counter;
    const message = counter === 1 ? input.subarray(hashLength) : input;
    const block = new Uint8Array(await subtle.sign('HMAC', key, message));
    okm.set(block.subarray(0, Math.min(block.length, length - written)), written);
    written += block.length;
    input.set(block, 0);
    wipe(block);
  }
  wipe(input);
  return okm;
}

// ---------------------------------------------------------------------------------------------
// P-384.

function base64UrlToBytes(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64Url(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// A private key can only be imported as JWK or PKCS #8; JWK needs no DER encoder. The scalar
// passes through base64 strings, which JS cannot wipe; that is the price of using WebCrypto for
// P-384 at all, and the strings die with this call.
function privateJwk(d, q) {
  return { ...P384, d: bytesToBase64Url(d), x: bytesToBase64Url(q.subarray(1, 49)), y: bytesToBase64Url(q.subarray(49, 97)) };
}

/** A new key pair as d (48) || Q (97, uncompressed). */
export async function p384Generate() {
  const pair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, true, ['deriveBits']);
  const jwk = await subtle.exportKey('jwk', pair.privateKey);
  const q = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  const result = new Uint8Array(48 + 97);
  result.set(base64UrlToBytes(jwk.d), 0);
  result.set(q, 48);
  return result;
}

/** The 48-byte ECDH shared secret, or null when the peer's point (or our key pair) is invalid. */
export async function p384Agree(d, q, peer) {
  const jwk = privateJwk(d.slice(), q.slice());
  const peerRaw = peer.slice();
  try {
    // importKey('raw') checks that the point is on the curve; deriveBits would refuse infinity.
    const publicKey = await subtle.importKey('raw', peerRaw, { name: 'ECDH', namedCurve: 'P-384' }, false, []);
    const privateKey = await subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-384' }, false, ['deriveBits']);
    return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 384));
  } catch (error) {
    if (isRejectedInput(error)) return null;
    throw error;
  }
}

/** ECDSA P-384 SHA-384 signature r || s (WebCrypto's native form is IEEE P1363), or null when the
 *  key pair is inconsistent. */
export async function p384Sign(d, q, data) {
  const jwk = privateJwk(d.slice(), q.slice());
  const message = data.slice();
  try {
    const key = await subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
    return new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, key, message));
  } catch (error) {
    if (isRejectedInput(error)) return null;
    throw error;
  }
}

/** True only for a valid signature by a valid public key. */
export async function p384Verify(q, data, signature) {
  const raw = q.slice();
  const message = data.slice();
  const rs = signature.slice();
  try {
    const key = await subtle.importKey('raw', raw, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['verify']);
    return await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, key, rs, message);
  } catch (error) {
    if (isRejectedInput(error)) return false;
    throw error;
  }
}
