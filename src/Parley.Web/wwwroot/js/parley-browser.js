// Browser services for Parley.Web that .NET cannot reach by itself, called through [JSImport]:
// - local storage of the profile (public facts and keys sealed under the password-derived master
//   key; never the password or a key in clear);
// - the WebAuthn ceremonies (navigator.credentials.create / get). The server sends options as JSON
//   with base64url strings where the browser wants bytes, and expects the PublicKeyCredential back
//   as JSON with base64url strings, so this module converts both ways and nothing else;
// - a short description of this browser, to name its device.

// ---------------------------------------------------------------------------------------------
// Storage. localStorage belongs to this origin and survives a reload; setItem replaces a value
// whole, so a profile is either the old one or the new one.

export function storageGet(key) {
  return globalThis.localStorage.getItem(key);
}

export function storageSet(key, value) {
  globalThis.localStorage.setItem(key, value);
}

export function storageRemove(key) {
  globalThis.localStorage.removeItem(key);
}

// ---------------------------------------------------------------------------------------------
// WebAuthn.

function fromBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64Url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The server's serializer writes absent options as null; the browser refuses null where it
// expects an enum or a dictionary, and treats a missing member as "default".
function withoutNulls(value) {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const result = {};
  for (const [name, member] of Object.entries(value)) {
    if (member !== null && member !== undefined) result[name] = withoutNulls(member);
  }
  return result;
}

function descriptors(list) {
  return (list ?? []).map(descriptor => ({ ...descriptor, id: fromBase64Url(descriptor.id) }));
}

// A rejected ceremony reaches .NET as a JSException carrying this message; the name
// (NotAllowedError, InvalidStateError, SecurityError...) is what the client explains to the user.
function ceremonyError(error) {
  return new Error(`${error?.name ?? 'Error'}: ${error?.message ?? error}`);
}

/** navigator.credentials.create() from the server's creation options; the attestation as JSON. */
export async function createCredential(optionsJson) {
  const options = withoutNulls(JSON.parse(optionsJson));
  options.challenge = fromBase64Url(options.challenge);
  options.user = { ...options.user, id: fromBase64Url(options.user.id) };
  options.excludeCredentials = descriptors(options.excludeCredentials);
  let credential;
  try {
    credential = await navigator.credentials.create({ publicKey: options });
  } catch (error) {
    throw ceremonyError(error);
  }
  const response = credential.response;
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64Url(response.attestationObject),
      clientDataJSON: toBase64Url(response.clientDataJSON),
      transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });
}

/** navigator.credentials.get() from the server's request options; the assertion as JSON. */
export async function getAssertion(optionsJson) {
  const options = withoutNulls(JSON.parse(optionsJson));
  options.challenge = fromBase64Url(options.challenge);
  options.allowCredentials = descriptors(options.allowCredentials);
  let credential;
  try {
    credential = await navigator.credentials.get({ publicKey: options });
  } catch (error) {
    throw ceremonyError(error);
  }
  const response = credential.response;
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toBase64Url(response.authenticatorData),
      clientDataJSON: toBase64Url(response.clientDataJSON),
      signature: toBase64Url(response.signature),
      userHandle: response.userHandle ? toBase64Url(response.userHandle) : null,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  });
}

/** True when this page may use WebAuthn at all (a secure context with the API present). */
export function webAuthnAvailable() {
  return globalThis.isSecureContext === true && typeof globalThis.PublicKeyCredential === 'function';
}

// ---------------------------------------------------------------------------------------------
// This browser, for the name of its device: "Chromium 156 on Linux", or "Web browser".

export function describeBrowser() {
  const data = navigator.userAgentData;
  if (data && Array.isArray(data.brands)) {
    const brand = data.brands.find(b => !/not.?a.?brand/i.test(b.brand) && b.brand !== 'Chromium')
      ?? data.brands.find(b => b.brand === 'Chromium');
    const platform = data.platform ? ` on ${data.platform}` : '';
    if (brand) return `${brand.brand} ${brand.version}${platform}`;
  }
  const agent = navigator.userAgent ?? '';
  for (const [pattern, name] of [[/Firefox\/(\d+)/, 'Firefox'], [/Edg\/(\d+)/, 'Edge'], [/Chrome\/(\d+)/, 'Chrome'], [/Version\/(\d+).*Safari/, 'Safari']]) {
    const match = agent.match(pattern);
    if (match) return `${name} ${match[1]}`;
  }
  return 'Web browser';
}

// ---------------------------------------------------------------------------------------------
// Files the person downloads (a decrypted document, a printed copy). .NET writes the plaintext in
// parts as it is verified; each part is copied out of the .NET heap at once (the view is valid only
// during the call). Only when the whole file verified does .NET ask to save it: the parts become a
// Blob behind an object URL that a temporary <a download> link saves. A failed download's parts are
// zeroed and dropped, so no unverified byte is ever offered. The browser holds the whole plaintext
// in memory (or its blob store) until the link has been followed: this is the web client's limit.

const downloads = new Map();
let nextDownload = 1;

/** Starts collecting a file; returns its handle. */
export function downloadBegin() {
  const handle = nextDownload++;
  downloads.set(handle, []);
  return handle;
}

/** Appends a part (a MemoryView over the .NET heap, copied here). */
export function downloadAppend(handle, bytes) {
  const parts = downloads.get(handle);
  if (!parts) throw new Error(`No download ${handle}.`);
  parts.push(bytes.slice());
}

/** Zeroes and drops the parts of a download that failed or was abandoned. */
export function downloadDiscard(handle) {
  const parts = downloads.get(handle);
  downloads.delete(handle);
  if (parts) for (const part of parts) part.fill(0);
}

/** Offers the collected parts as a file called name; returns its size in bytes. */
export function downloadSave(handle, name, type) {
  const parts = downloads.get(handle);
  if (!parts) throw new Error(`No download ${handle}.`);
  downloads.delete(handle);
  const blob = new Blob(parts, { type: type || 'application/octet-stream' });
  for (const part of parts) part.fill(0);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the URL (and the Blob it keeps alive) goes after a minute.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob.size;
}
