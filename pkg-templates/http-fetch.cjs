'use strict';
// The Node entry's default transport: a `fetch`-compatible function over node:http / node:https with
// keep-alive agents. On the small JSON answers of these clouds it costs less per call than Node's global
// fetch (undici). It covers what the package's clients use, no more:
//
//   httpFetch(url, { method, headers, body, signal, redirect })
//     headers   a plain object (or a Headers) of string values
//     body      a string or undefined (sent with content-length)
//     signal    an AbortSignal: rejects with an AbortError and destroys the request, also mid-body
//     redirect  never followed: 'manual' and 'follow' give the 3xx response itself (Location readable),
//               'error' rejects like fetch does
//
// It resolves once the headers are in, with a Response-like object: status, ok, statusText, type, url,
// redirected, headers.get(name), text(), json(), arrayBuffer(), and `body` (a web ReadableStream, made
// only when asked for). Failures look like undici's: a network error is TypeError('fetch failed') with the
// socket error (ECONNREFUSED, …) as `cause`. A user's own `fetch` option always wins over this one.
const http = require('node:http');
const https = require('node:https');
const zlib = require('node:zlib');
const { Readable } = require('node:stream');

// Idle sockets are unref'd by the agent (keepSocketAlive), so a pool never keeps the process alive; they
// are closed after 5 s, or earlier when the server's Keep-Alive header says so (as in Node's globalAgent).
const AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo', timeout: 5000, maxSockets: 64 };
const agents = { http: new http.Agent(AGENT_OPTIONS), https: new https.Agent(AGENT_OPTIONS) };

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
// Methods fetch upper-cases whatever their case (PATCH is not among them).
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

function method(given) {
  if (!given) return 'GET';
  const upper = String(given).toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : String(given);
}

function abortError(signal) {
  const err = new DOMException('This operation was aborted', 'AbortError');
  if (signal.reason !== undefined) err.cause = signal.reason;
  return err;
}

const noop = () => {};
const fetchFailed = (cause) => new TypeError('fetch failed', { cause });

/** The response's headers, read through `get(name)` (case-insensitive; null when absent). */
class HttpHeaders {
  constructor(raw) {
    this._raw = raw; // node:http's object: lower-case names; set-cookie is an array
  }

  get(name) {
    const v = this._raw[String(name).toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }

  has(name) {
    return this._raw[String(name).toLowerCase()] !== undefined;
  }

  forEach(callback, thisArg) {
    for (const [name, value] of this) callback.call(thisArg, value, name, this);
  }

  *entries() {
    for (const name of Object.keys(this._raw).sort()) yield [name, this.get(name)];
  }

  *keys() {
    for (const [name] of this.entries()) yield name;
  }

  *values() {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator]() {
    return this.entries();
  }
}

/** The decompressor for a Content-Encoding, or null for identity and encodings left as they are. */
function decoder(encoding) {
  switch (encoding && encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return () => zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return () => zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return () => zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return null;
  }
}

class HttpResponse {
  constructor(res, url, nullBody, abort) {
    this.status = res.statusCode;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = res.statusMessage || '';
    this.type = 'basic';
    this.url = url;
    this.redirected = false;
    this.headers = new HttpHeaders(res.headers);
    this._res = res;
    this._nullBody = nullBody;
    this._abort = abort; // { error } once the signal fired
    this._used = false;
    this._stream = undefined;
  }

  get bodyUsed() {
    return this._used;
  }

  /** The body as a web ReadableStream, made on first access (null for a response without a body). */
  get body() {
    if (this._nullBody) return null;
    if (this._stream === undefined) {
      const decode = decoder(this._res.headers['content-encoding']);
      const source = decode ? this._res.pipe(decode()) : this._res;
      if (decode) this._res.once('error', (err) => source.destroy(err));
      this._stream = Readable.toWeb(source);
    }
    return this._stream;
  }

  /** The whole body as one Buffer, decompressed. */
  _bytes() {
    if (this._used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this._used = true;
    if (this._stream !== undefined) {
      return new Response(this._stream).arrayBuffer().then((ab) => Buffer.from(ab));
    }
    const res = this._res;
    if (this._nullBody) return Promise.resolve(Buffer.alloc(0));
    if (this._abort.error) return Promise.reject(this._abort.error);
    return new Promise((resolve, reject) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.once('end', () => {
        // Whole chunks are joined before decoding, so a character split across chunks stays whole.
        const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        const decode = decoder(res.headers['content-encoding']);
        if (!decode || raw.length === 0) return resolve(raw);
        const out = [];
        decode()
          .on('data', (c) => out.push(c))
          .once('end', () => resolve(Buffer.concat(out)))
          .once('error', (err) => reject(new TypeError('terminated', { cause: err })))
          .end(raw);
      });
      res.on('error', (err) => reject(this._abort.error || new TypeError('terminated', { cause: err })));
      res.once('aborted', () => {
        const err = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
        reject(this._abort.error || new TypeError('terminated', { cause: err }));
      });
    });
  }

  text() {
    return this._bytes().then((buf) => {
      // UTF-8, without a byte-order mark (as fetch decodes).
      const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
      return buf.toString('utf8', bom ? 3 : 0);
    });
  }

  json() {
    return this.text().then(JSON.parse);
  }

  arrayBuffer() {
    return this._bytes().then((buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
}

/** The request headers: the caller's, then what fetch adds when they are absent. */
function requestHeaders(given, body) {
  const out = {};
  let type = false;
  let length = false;
  let accept = false;
  let encoding = false;
  let agent = false;
  const add = (value, name) => {
    out[name] = String(value);
    switch (name.toLowerCase()) {
      case 'content-type': type = true; break;
      case 'content-length': length = true; break;
      case 'accept': accept = true; break;
      case 'accept-encoding': encoding = true; break;
      case 'user-agent': agent = true; break;
      default:
    }
  };
  if (given && typeof given.forEach === 'function') given.forEach(add);
  else if (given) for (const name of Object.keys(given)) add(given[name], name);
  if (!accept) out.accept = '*/*';
  if (!encoding) out['accept-encoding'] = 'gzip, deflate, br';
  if (!agent) out['user-agent'] = 'node'; // as Node's fetch says
  if (typeof body === 'string') {
    if (!type) out['content-type'] = 'text/plain;charset=UTF-8';
    if (!length) out['content-length'] = String(Buffer.byteLength(body));
  } else if (Buffer.isBuffer(body) && !length) out['content-length'] = String(body.length);
  return out;
}

/**
 * A fetch-compatible function over node:http / node:https with keep-alive agents (see the top of the file).
 * @param {string | URL} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string, signal?: AbortSignal,
 *   redirect?: 'manual' | 'error' | 'follow' }} [init]
 */
function httpFetch(url, init = {}) {
  const { body } = init;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    // FormData (a multipart upload) and URLSearchParams: encoded by the platform's Response, with the
    // Content-Type (and multipart boundary) it chooses.
    if (typeof FormData === 'function' && (body instanceof FormData || body instanceof URLSearchParams)) {
      const encoded = new Response(body);
      return encoded.arrayBuffer().then((bytes) => {
        const headers = { ...init.headers, 'Content-Type': encoded.headers.get('content-type') };
        return send(url, { ...init, headers, body: Buffer.from(bytes) });
      });
    }
    return Promise.reject(new TypeError('httpFetch: the body must be a string, FormData or URLSearchParams'));
  }
  return send(url, init);
}

function send(url, init) {
  const href = String(url);
  const { signal, body } = init;
  if (signal && signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const abort = { error: null };
    let req;
    let res;
    let onAbort;
    const done = () => {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      onAbort = undefined;
    };
    try {
      const secure = /^https:/i.test(href);
      req = (secure ? https : http).request(href, {
        method: method(init.method),
        headers: requestHeaders(init.headers, body),
        agent: secure ? agents.https : agents.http,
      });
    } catch (err) {
      reject(err && err.code === 'ERR_INVALID_URL'
        ? new TypeError(`Failed to parse URL from ${href}`, { cause: err })
        : fetchFailed(err));
      return;
    }
    if (signal) {
      onAbort = () => {
        abort.error = abortError(signal);
        done();
        if (res) res.destroy(abort.error);
        req.destroy(abort.error);
        reject(abort.error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
    req.on('error', (err) => {
      done();
      reject(abort.error || fetchFailed(err));
    });
    req.once('response', (response) => {
      res = response;
      const status = res.statusCode;
      if (REDIRECT_STATUS.has(status) && init.redirect === 'error' && res.headers.location !== undefined) {
        done();
        res.destroy();
        reject(fetchFailed(new Error('unexpected redirect')));
        return;
      }
      if (signal) res.once('close', done);
      // An error the caller never reads (an abort before the body is read) must not go unhandled.
      res.on('error', noop);
      const nullBody = NULL_BODY_STATUS.has(status) || req.method === 'HEAD';
      if (nullBody) res.resume(); // frees the socket for the next request
      resolve(new HttpResponse(res, href, nullBody, abort));
    });
    if (body !== undefined && body !== null) req.end(body);
    else req.end();
  });
}

module.exports = { httpFetch, agents };
