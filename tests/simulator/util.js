'use strict';
// Request helpers every simulated cloud uses.

/** A JSON body: `{value}` (an empty body reads as `{}`), or `{error: true}` when it is not JSON. */
function parseJson(text) {
  try {
    return { value: text.trim() === '' ? {} : JSON.parse(text) };
  } catch {
    return { error: true };
  }
}

/** The user and password of an HTTP Basic `Authorization` header, or null. */
function basicAuth(req) {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization || '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

module.exports = { parseJson, basicAuth };
