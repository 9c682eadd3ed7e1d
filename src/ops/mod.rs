//! Operations as data: every vendor operation is a row of a table ([`Op`]), and one pure function,
//! [`prepare`], turns a row and the caller's arguments into the parts of a request — path segments checked
//! and encoded, query parameters typed and repeated where the API wants arrays, headers, and a body kept as
//! the caller's own value until the edge serializes it (`JSON.stringify`, `FormData`).
//!
//! The Arduino table is generated from the OpenAPI spec (`tools/generate.mjs`); the other vendors' rows
//! are written once from their fact sheets. Only what no row can say (a login, an envelope, an error
//! decoder, an event stream) is written by hand in the vendor modules.

use crate::prelude::*;

pub mod arduino;
pub mod cthings;
#[cfg(any(test, not(target_arch = "wasm32")))]
pub mod date;
pub mod iotconnect;
pub mod particle;

use crate::error::Error;
use crate::http::{encode, Method, Payload, Request, Shape, Value};

/// One operation. `params` lists the parameters in the order of the JavaScript call:
/// `<where><type>[!|+]<name>[=<jsName>][#<min>[-<max>]]`, comma-separated.
///
/// - where: `p` path placeholder, `q` query, `h` header, `b` the whole JSON body (`name` is its JS name), `m`
///   the request's method instead of the route's (`GET`, `POST`, `PUT`, `PATCH` or `DELETE`),
///   `f` a multipart or form field, `j` a field of a JSON body object (built at the edge), `t` the access
///   token of this call (instead of the client's), `n` the page size of a paged list ([`Call::page_size`]),
///   `v` an option the vendor's own code reads (a login's token lifetime): checked against its type, not
///   sent;
/// - type: `s` string, `e` a string that says something (not empty nor only spaces), `b` boolean, `i` integer, `n`
///   number, `d` date-time (a string or a `Date`), `a` array of strings (a repeated query key), `o` JSON object, `l`
///   JSON array, `j` any JSON value, `F` a file (`Blob`, `File`, `ArrayBuffer`, a typed array or a `Buffer`), `g`
///   a UUID (8-4-4-4-12 hex digits), `k` any scalar (a string, number, boolean or `Date`); a query parameter
///   of type `o` is an object of parameters, each key sent with its present values (`k`, or an array of them,
///   the key repeated), after the other query parameters;
///   `D` a date-time (an ISO 8601 string or a `Date`) sent as `YYYY-MM-DD HH:MM:SS` in UTC ([`date`]);
/// - `!`: required. Required parameters are the positional arguments, in order; the others are keys of
///   the options object that follows them. With [`OPTS`], every parameter is a key of the one options
///   object, required ones included. `+`: required, and a key of the options object all the same;
/// - `#min-max` (or `#min`): an integer within these bounds;
/// - a required path entry without a name (`ps!`) is the route's next `{name}` after those that such entries
///   took before it.
///
/// With [`OPTS`] (particle-api-js's calls) there is more: `where` in upper case is a parameter taken only in
/// a product or organization scope; `x` is an option that is read but not sent (it counts for
/// [`ONE_SCOPE`]); the types `u` (a string or an integer: a product id or slug), `c` (a string, or an array
/// joined with commas), `T` (a flag: `true` is sent, `false` left out), `1` (a boolean sent as `"1"`/`"0"`),
/// `M` (an object of files by file name, sent as `file`, `file2`, …), `r` (a raw path: one leading `/`, no `?`,
/// `#`, `\\`, `%2e`, control characters or `.`/`..` segments);
/// `name=a.b` reads key `b` of the object option `a`; `~value` is the value when the option is absent
/// (`~other=value`: send `other` instead; a final `@` appends the time in ms; `null`/`true`/`false` are
/// JSON; for a file, the file name), and an empty JavaScript name makes a constant. `j*` merges an object's
/// keys into the body. Every key of the options object must be a parameter, `auth` (the call's token),
/// `headers` (extra request headers), `context` (ignored), `signal`, `timeoutMs`, or a scope option.
#[derive(Clone, Copy)]
pub struct Op {
    /// `"GET /iot/v2/things/{id}"`: the method, one space, the path template.
    pub route: &'static str,
    pub params: &'static str,
    /// The `Accept` header to send (`""`: none; `.name`: `application/vnd.arduino.name`).
    pub accept: &'static str,
    pub flags: u16,
}

/// The request body is the JSON parameter (`Content-Type: application/json`).
pub const BODY_JSON: u16 = 1;
/// The request body is `multipart/form-data` made of the `f` parameters.
pub const BODY_MULTIPART: u16 = 2;
/// The request body is `application/x-www-form-urlencoded` made of the `f` parameters.
pub const BODY_FORM: u16 = 3;
pub const BODY_MASK: u16 = 3;
/// A success body is a JSON array.
pub const RET_ARRAY: u16 = 4;
/// A success body is a JSON object.
pub const RET_OBJECT: u16 = 8;
/// The operation takes the `X-Organization` header.
pub const ORG: u16 = 16;
/// Paged by the answer's `last_evaluated_key` (its `created_at` is the next page's `start`).
pub const PAGE_LEK: u16 = 32;
/// Every parameter is a key of one options object (`getVariable({deviceId, name, auth})`).
pub const OPTS: u16 = 64;
/// The result is the answer's `data` (the payload of an envelope), not the whole answer.
pub const DATA: u16 = 128;
/// Paged by `pageNumber`/`pageSize` (the `n` parameter), one page a call: the call resolves `[items]`, or
/// `[items, cursor]` when there is a next page, which the caller asks for with `{start: cursor}` (the JavaScript
/// iterators). The vendor's own code reads the pages ([`Call::cursor`]).
pub const PAGE_NUMBER: u16 = 512;
/// Takes `product`: with it, the path is `/v1/products/{product}` + the template after `/v1`, without the
/// parts in `[ ]`.
pub const SCOPE_PRODUCT: u16 = 1024;
/// Takes `org`: likewise `/v1/orgs/{org}`.
pub const SCOPE_ORG: u16 = 2048;
/// Exactly one of the scope options (`product`, `org`, an optional path parameter, an `x` flag) is given.
pub const ONE_SCOPE: u16 = 4096;
/// Not read by the engine: the vendor's own mark on a row (Particle's login family: the call needs the
/// user's token).
pub const VENDOR: u16 = 8192;
/// [`RET_ARRAY`] and [`RET_OBJECT`] together: the success body is read as bytes.
pub const BINARY: u16 = RET_ARRAY | RET_OBJECT;

/// Row `index` of a table written as text: one operation a line, `route|params|accept|flags` with the flags
/// in decimal. (A table of text compresses far better than an array of structs, whose pointers do not.)
pub fn row(table: &'static str, index: usize) -> Option<Op> {
    let mut rest = table;
    for _ in 0..index {
        rest = split(rest, b'\n')?.1;
    }
    let line = cut(rest, b'\n').0;
    let (route, rest) = split(line, b'|')?;
    let (params, rest) = split(rest, b'|')?;
    let (accept, flags) = split(rest, b'|')?;
    let flags = encode::whole32(flags)? as u16;
    Some(Op { route, params, accept, flags })
}

/// The number of rows of a text table.
pub fn rows(table: &str) -> usize {
    table.split('\n').count()
}

impl Op {
    pub fn method(&self) -> Method {
        method(self.route)
    }

    /// The path template, after the method and its space.
    pub fn template(&self) -> &'static str {
        cut(self.route, b' ').1
    }

    pub fn shape(&self) -> Shape {
        match self.flags & BINARY {
            BINARY => Shape::Binary,
            RET_ARRAY => Shape::Array,
            RET_OBJECT => Shape::Object,
            _ => Shape::Any,
        }
    }

    /// How many positional arguments the call takes (its required parameters).
    pub fn positional(&self) -> usize {
        if self.flags & OPTS != 0 {
            return 0;
        }
        let mut n = 0;
        for p in self.entries() {
            n += (p.required && !p.keyed) as usize;
        }
        n
    }

    /// The parameters; with [`OPTS`], first the scope options (`product`, `org`: entries `su…`) and `auth`,
    /// which every such call takes.
    fn entries(&self) -> Entries {
        let implied = match self.flags & (OPTS | SCOPE_PRODUCT | SCOPE_ORG) {
            OPTS => "tsauth",
            f if f == OPTS | SCOPE_PRODUCT => "suproduct,tsauth",
            f if f == OPTS | SCOPE_ORG => "suorg,tsauth",
            f if f & OPTS != 0 => "suproduct,suorg,tsauth",
            _ => "",
        };
        Entries { now: implied, then: self.params, route: self.route }
    }

    /// Whether the call takes the option `key` (a parameter's JavaScript name, or the object it is read from).
    pub fn takes(&self, key: &str) -> bool {
        self.entries().any(|p| cut(p.js, b'.').0 == key)
    }
}

/// The method a route (or a method's name) begins with.
fn method(route: &str) -> Method {
    // (By its first letters: an `m` parameter's name is compared whole with the method's afterwards.)
    match route.as_bytes() {
        [b'G', ..] => Method::Get,
        [b'P', b'U', ..] => Method::Put,
        [b'D', ..] => Method::Delete,
        [b'P', b'A', ..] => Method::Patch,
        [b'H', ..] => Method::Head,
        _ => Method::Post,
    }
}

/// The entries of `now`, then those of `then` (comma-separated). A path entry without a name (`ps!`) is the
/// route's next `{name}` after those that such entries took before it.
struct Entries {
    now: &'static str,
    then: &'static str,
    route: &'static str,
}

impl Iterator for Entries {
    type Item = Param;
    #[inline(never)]
    fn next(&mut self) -> Option<Param> {
        loop {
            if self.now.is_empty() {
                if self.then.is_empty() {
                    return None;
                }
                self.now = core::mem::take(&mut self.then);
            }
            let (entry, rest) = cut(self.now, b',');
            self.now = rest;
            if let Some(mut p) = Param::parse(entry) {
                if p.name.is_empty() && p.at == b'p' {
                    let (name, rest) = cut(cut(self.route, b'{').1, b'}');
                    self.route = rest;
                    (p.name, p.js) = (name, name);
                }
                return Some(p);
            }
        }
    }
}

/// One entry of [`Op::params`].
#[derive(Clone, Copy)]
struct Param {
    at: u8,
    kind: u8,
    required: bool,
    /// Required, but a key of the options object (`+`).
    keyed: bool,
    /// `min-max` or `min`: the bounds of an integer; empty: none.
    range: &'static str,
    /// Taken only in a product or organization scope (`where` in upper case).
    scoped: bool,
    /// The API's name.
    name: &'static str,
    /// The name in JavaScript.
    js: &'static str,
    /// The value when absent (`~…`); empty: none.
    default: &'static str,
}

impl Param {
    fn parse(entry: &'static str) -> Option<Param> {
        let [at, kind, ref more @ ..] = *entry.as_bytes() else { return None };
        let keyed = more.first() == Some(&b'+');
        let required = keyed || more.first() == Some(&b'!');
        if (at | kind) >= 0x80 {
            return None;
        }
        // SAFETY: after two or three ASCII bytes.
        let rest = unsafe { entry.get_unchecked(2 + required as usize..) };
        let (rest, default) = cut(rest, b'~');
        let (rest, range) = cut(rest, b'#');
        let (name, js) = split(rest, b'=').unwrap_or((rest, rest));
        let scoped = at.is_ascii_uppercase();
        Some(Param { at: at.to_ascii_lowercase(), kind, required, keyed, range, scoped, name, js, default })
    }
}

/// A raw path (`r`): it begins with one `/` and has no `?`, `#`, `\\`, `%2e` or control characters, nor a
/// segment that is `.` or `..`.
fn raw_path(path: &[u8]) -> bool {
    let mut b = match path {
        [b'/', b'/', ..] => return false,
        [b'/', ..] => path,
        _ => return false,
    };
    loop {
        b = match b {
            [] => return true,
            [b'/', b'.', b'.'] | [b'/', b'.', b'.', b'/', ..] | [b'/', b'.'] | [b'/', b'.', b'/', ..] => return false,
            [b'%', b'2', b'e' | b'E', ..] => return false,
            [c, rest @ ..] if *c >= b' ' && !matches!(c, 0x7f | b'#' | b'?' | b'\\') => rest,
            _ => return false,
        }
    }
}

/// Whether `s` is a UUID: 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// `s` cut at the first `c` (an ASCII byte: no other is found).
pub(crate) fn split(s: &str, c: u8) -> Option<(&str, &str)> {
    let mut i = 0;
    while *s.as_bytes().get(i)? != c || !c.is_ascii() {
        i += 1;
    }
    // SAFETY: `i` is the index of an ASCII byte, so both it and `i + 1` are character boundaries.
    unsafe { Some((s.get_unchecked(..i), s.get_unchecked(i + 1..))) }
}

/// `s` cut at the first `c`; all of it and nothing without one.
pub(crate) fn cut(s: &str, c: u8) -> (&str, &str) {
    split(s, c).unwrap_or((s, ""))
}

/// A value the caller passed: the JavaScript value itself on wasm, JSON in native tests. Reads can fail
/// (a getter that throws, a string too long to copy): `Err(())`, reported with the parameter's name.
#[allow(clippy::result_unit_err)]
pub trait Arg: Sized {
    /// `undefined` or `null`.
    fn is_absent(&self) -> bool;
    /// `self[key]`; `None` when absent.
    fn field(&self, key: &str) -> Result<Option<Self>, ()>;
    /// The string, if this is one.
    fn string(&self) -> Result<Option<String>, ()>;
    fn boolean(&self) -> Option<bool>;
    /// A finite number as the platform prints it, and whether it is a safe integer.
    fn number(&self) -> Option<(String, bool)>;
    /// A valid `Date` as ISO 8601.
    fn date(&self) -> Option<String>;
    /// A `Date` or a date string as the platform reads it: ms since 1970 and `toISOString()`'s text.
    fn utc(&self) -> Option<(f64, String)>;
    /// The items, if this is an array (at most 1,000 are read).
    fn items(&self) -> Result<Option<Vec<Self>>, ()>;
    /// A plain object: not an array, a function or a file.
    fn is_object(&self) -> bool;
    fn is_array(&self) -> bool;
    /// A `Blob`/`File`, an `ArrayBuffer` or a typed array (`Buffer` included).
    fn is_file(&self) -> bool;
    /// The value as a request body part.
    fn value(&self) -> Value;
    /// The own enumerable keys of an object and their values.
    fn entries(&self) -> Result<Vec<(String, Self)>, ()>;
    /// A value written in a table: with `json`, `null`, `true` and `false` are those values; else a string.
    fn literal(text: &str, json: bool) -> Self;
}

/// An operation's request, ready but for the host, the token and the default organization.
#[derive(Debug)]
pub struct Call {
    pub method: Method,
    /// The encoded path and query.
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub payload: Option<Payload>,
    /// The organization asked for in this call (`X-Organization`).
    pub organization: Option<String>,
    pub shape: Shape,
    /// Headers the caller adds (`IotApi` `defaultHeaders`), this call's signal and deadline.
    pub extra: Vec<(String, String)>,
    pub signal: Option<Value>,
    pub timeout_ms: Option<u32>,
    /// The access token this call names (a `t` parameter), instead of the client's.
    pub token: Option<String>,
    /// The page size a paged list asks for (an `n` parameter); 0 when it is not a whole number.
    pub page_size: Option<u32>,
    /// The text of the first `v` option given (a [`PAGE_NUMBER`] list's `start`, else its `pageNumber`):
    /// where the list goes on, which the vendor's `finish` and `dispatch` read.
    pub cursor: Option<String>,
}

impl Call {
    /// The request to send: `base` + path, the bearer token, and the organization of this call or else
    /// `default_org` when the operation takes one.
    pub fn request(&self, base: &str, token: &str, default_org: Option<&str>, org_header: bool) -> Request {
        let mut headers = self.headers.clone();
        headers.insert(0, ("Authorization", encode::cat(&["Bearer ", token])));
        if let (true, Some(org)) = (org_header, self.organization.as_deref().or(default_org)) {
            headers.push(("X-Organization", org.into()));
        }
        Request {
            method: self.method,
            url: encode::cat(&[base, &self.path]),
            headers,
            extra: self.extra.clone(),
            payload: self.payload.clone(),
            signal: self.signal.clone(),
            timeout_ms: self.timeout_ms,
            follow: true,
            expect: self.shape,
        }
    }
}

pub(crate) use crate::error::bad;

/// The text of a scalar parameter (path, query, header, form field), checked against its type.
/// (A JSON value too: `o` an object, `l` an array, `j` anything; its text empty.)
fn scalar<A: Arg>(v: &A, kind: u8, ctx: &str, name: &str) -> Result<String, Error> {
    text_of(v, kind).map_err(|what| bad(ctx, name, what))
}

/// [`scalar`]'s text, or what is wrong with it.
fn text_of<A: Arg>(v: &A, kind: u8) -> Result<String, &'static str> {
    // Any scalar (`k`): a boolean or a number as such, else as a string.
    let kind = match kind {
        b'k' if v.boolean().is_some() => b'b',
        b'k' if v.number().is_some() => b'n',
        kind => kind,
    };
    let got = match kind {
        b'o' if !v.is_object() => return Err("must be an object"),
        b'l' if !v.is_array() => return Err("must be an array"),
        b'o' | b'l' | b'j' => return Ok(String::new()),
        // A flag (`T`) that is on is sent as `true`.
        b'b' | b'T' | b'1' => v.boolean().map(|b| {
            let (on, off) = if kind == b'1' { ("1", "0") } else { ("true", "false") };
            String::from(if b { on } else { off })
        }),
        b'i' | b'n' => match v.number() {
            Some((text, whole)) if whole || kind == b'n' => Some(text),
            _ => None,
        },
        // Strings take a `Date` too (sent as ISO 8601), as the official client's do; `u` an integer or a
        // string (a product's id or slug).
        _ => {
            let other = if kind == b'u' { v.number().map(|n| Some(n.0).filter(|_| n.1)) } else { v.date().map(Some) };
            match other {
                Some(got) => got,
                None => v.string().map_err(|()| "is too long")?,
            }
        }
    };
    let got = got.ok_or(match kind {
        b'b' | b'1' | b'T' => "must be a boolean",
        b'u' => "must be a string or an integer",
        b'i' => "must be an integer",
        b'n' => "must be a finite number",
        b'd' | b'D' => "must be a Date or an ISO 8601 string",
        b'k' => "must be a string, number or boolean",
        _ => "must be a string",
    })?;
    if kind == b'e' && encode::trim(&got).is_empty() {
        return Err("must be a non-empty string");
    }
    if kind == b'g' && !is_uuid(&got) {
        return Err("must be a UUID (8-4-4-4-12 hex digits)");
    }
    if kind == b'D' {
        return v.utc().and_then(|t| sql_utc(t.1)).ok_or("must be a Date or an ISO 8601 date-time");
    }
    Ok(got)
}

/// The kind of a scalar that goes into a query, a header or the token: a string must not be empty (nor only
/// spaces), which `e` says.
fn filled(kind: u8) -> u8 {
    if kind == b's' {
        b'e'
    } else {
        kind
    }
}

/// Why a parameter is refused: what is wrong with it (said of the parameter), or a whole error.
enum Fail {
    Said(&'static str),
    Whole(Error),
}
use Fail::{Said, Whole};

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Whole(e)
    }
}

impl From<&'static str> for Fail {
    fn from(what: &'static str) -> Fail {
        Said(what)
    }
}

/// Checks the arguments of a call of `op` and builds its request parts. `args` are the positional
/// arguments followed by the options object; `org_key` is the option naming the organization
/// (`organization`, or `xOrganization` on the `IotApi` surface). `ctx` names the call in errors.
///
/// Nothing is sent when this fails, and every failure names the call and the parameter.
#[inline(never)]
pub fn prepare<A: Arg>(op: &Op, ctx: &str, args: &[A], org_key: &str) -> Result<Call, Error> {
    let positional = op.positional();
    let opts = match args.get(positional) {
        Some(o) if o.is_absent() => None,
        Some(o) if o.is_object() => Some(o),
        Some(_) => return Err(bad(ctx, "options", "must be an object")),
        None => None,
    };
    let mut path = String::new();
    // The keys and values of a query object (`qo`).
    let mut pairs: Vec<(String, A)> = Vec::new();
    let mut query: Vec<(&str, String)> = Vec::new();
    let mut headers: Vec<(&'static str, String)> = Vec::new();
    let mut fields: Vec<(&'static str, Value)> = Vec::new();
    let mut files: Vec<(&'static str, Value)> = Vec::new();
    let mut json = None;
    let mut segments: Vec<(&str, String)> = Vec::new();
    let mut next = 0;
    let mut organization = None;
    let (mut token, mut page_size, mut object, mut method) = (None, None, false, op.method());
    let mut cursor = None;
    if op.flags & ORG != 0 {
        if let Some(v) = o_field(opts, org_key, ctx)? {
            organization = Some(scalar(&v, b's', ctx, org_key)?);
        }
    }
    let from_args = op.flags & OPTS == 0;
    // particle-api-js's options: every key must be one the call takes (a parameter, the scope, `auth`) or
    // one every call takes: `headers` (extra request headers), `context` (not sent: particle-api-js turns it
    // into its own `X-Particle-Tool`/`X-Particle-Project` headers), `signal` and `timeoutMs` (read by the
    // caller).
    if let (false, Some(o)) = (from_args, opts) {
        for (key, v) in o.entries().map_err(|()| bad(ctx, "options", "could not be read"))? {
            if !v.is_absent()
                && !matches!(key.as_str(), "headers" | "context" | "signal" | "timeoutMs")
                && !op.takes(&key)
            {
                return Err(bad(ctx, &key, "is not an option of this call"));
            }
        }
    }
    // The scope (`/v1/products/{product}` or `/v1/orgs/{org}`), and how many scope options were given.
    let mut scope: Option<(&str, String)> = None;
    let mut scopes = 0;
    // One parameter read into the parts above. (A closure: an error leaves it at one place, where the
    // parts are dropped, not at each of its checks.)
    let mut step = |mut p: Param| -> Result<(), Fail> {
        if p.scoped && scope.is_none() {
            if o_field(opts, p.js, ctx)?.is_some() {
                return Err(Said("is only taken with `product`"));
            }
            return Ok(());
        }
        object |= p.at == b'j';
        let value = if p.required && !p.keyed && from_args {
            next += 1;
            args.get(next - 1).filter(|v| !v.is_absent()).map(ArgRef::Borrowed)
        } else if p.js.is_empty() {
            None
        } else {
            o_field(opts, p.js, ctx)?.map(ArgRef::Owned)
        };
        // An absent parameter: required, or its default (`~value`, `~name=value`; a final `@` appends the
        // time in ms) taken as if given. A file's default is its file name.
        let value = match value {
            Some(v) => v,
            None if p.required => return Err(Said("is required")),
            None if p.default.is_empty() || p.kind == b'F' => return Ok(()),
            None => {
                let (name, text) = split(p.default, b'=').unwrap_or((p.name, p.default));
                p.name = name;
                let text = match split(text, b'@') {
                    Some((t, _)) => encode::cat(&[t, &encode::num(now_ms())]),
                    None => text.into(),
                };
                ArgRef::Owned(A::literal(&text, p.at == b'j'))
            }
        };
        let v = value.get();
        // A flag that is off is left out.
        if p.kind == b'T' && v.boolean() == Some(false) {
            return Ok(());
        }
        if !p.range.is_empty() {
            in_range(v, p.range, ctx, p.js)?;
        }
        // (A method from an `m` parameter is known here: it comes first.)
        if p.at == b'b' && method == Method::Get {
            return Err(Said("cannot be sent with GET"));
        }
        // The text of the value checked against its type (a JSON value's empty), but for the arrays of
        // strings and the files, read below: a raw path is a string, a query, header or token string must
        // not be empty, a page size is an integer.
        let many = matches!((p.at, p.kind), (b'q', b'a' | b'c') | (b'f', b'F' | b'M'));
        let kind = match (p.at, p.kind) {
            (b'n', _) => b'i',
            (_, b'r') => b's',
            (b'q' | b'h' | b't', b's') => b'e',
            (_, k) => k,
        };
        let text = if many { String::new() } else { text_of(v, kind)? };
        match p.at {
            // Read by the vendor's own code (a login's token lifetime), not sent as it is.
            b'v' => {
                cursor.get_or_insert(text);
            }
            b'm' => {
                method = self::method(&text);
                if method.as_str() != text || method == Method::Head {
                    return Err(Said("must be GET, POST, PUT, PATCH or DELETE"));
                }
            }
            b'p' | b's' => {
                let seg = if p.kind == b'r' {
                    if !raw_path(text.as_bytes()) {
                        return Err(Said(
                            "must be a path: one leading `/`, no `?`, `#`, `\\`, `..` or control characters",
                        ));
                    }
                    text
                } else {
                    encode::path_segment(ctx, p.js, &text)?
                };
                scopes += !p.required as usize;
                if p.at == b'p' {
                    segments.push((p.name, seg));
                } else if scope.is_some() {
                    return Err(Said("cannot be given with `product`"));
                } else {
                    scope = Some((p.name, seg));
                }
            }
            b'x' => scopes += (text == "true") as usize,
            // An array of strings: each a repeated key (`a`), or joined with commas (`c`, which takes one
            // string too).
            b'q' if many => {
                let items = v.items().map_err(|()| Said("could not be read"))?;
                let items = match &items {
                    Some(items) => items.as_slice(),
                    None if p.kind == b'c' => core::slice::from_ref(v),
                    None => return Err(Said("must be an array of strings")),
                };
                let mut joined = String::new();
                for item in items {
                    let text = text_of(item, filled(b's'))?;
                    if p.kind == b'a' {
                        query.push((p.name, text));
                    } else {
                        if !joined.is_empty() {
                            joined.push(',');
                        }
                        joined.push_str(&text);
                    }
                }
                if p.kind == b'c' {
                    query.push((p.name, joined));
                }
            }
            // An object of query parameters: read after the others (below).
            b'q' if p.kind == b'o' => {
                pairs = v.entries().map_err(|()| Said("could not be read"))?;
            }
            b'q' => query.push((p.name, text)),
            b'h' => headers.push((p.name, text)),
            b't' => token = Some(text),
            b'n' => page_size = Some(encode::whole32(&text).unwrap_or(0)),
            // Scalars are checked against their type; the value goes into the object as it is (a `1`
            // boolean as its text).
            b'j' => fields.push((p.name, if p.kind == b'1' { text_value(text) } else { v.value() })),
            b'b' => json = Some(v.value()),
            // A form field: files as they are, anything else as text.
            _ if p.kind == b'M' => {
                if !v.is_object() {
                    return Err(Said("must be an object of files by file name"));
                }
                let named = v.entries().map_err(|()| Said("could not be read"))?;
                let mut n = 0;
                for (name, file) in named {
                    if !file.is_file() {
                        return Err(Said(FILE));
                    }
                    n += 1;
                    let mut field = String::from("file");
                    if n > 1 {
                        field.push_str(&encode::num(n));
                    }
                    files.push(("", named_file(field, name, file.value())));
                }
            }
            _ if p.kind == b'F' => {
                if !v.is_file() {
                    return Err(Said(FILE));
                }
                files.push((
                    p.name,
                    match p.default {
                        "" => v.value(),
                        name => named_file(p.name.into(), name.into(), v.value()),
                    },
                ));
            }
            _ => fields.push((p.name, text_value(text))),
        }
        Ok(())
    };
    for p in op.entries() {
        if let Err(fail) = step(p) {
            return Err(match fail {
                Said(what) => bad(ctx, p.js, what),
                Whole(e) => e,
            });
        }
    }
    if op.flags & ONE_SCOPE != 0 && scopes != 1 {
        return Err(bad(ctx, "scope", "exactly one of `product`, `org`, `deviceId`, `sandbox` must be given"));
    }
    // The template with each `{name}` replaced by its encoded value (`{/name}`: `/` and the value, if
    // given), and the scope's prefix in place of `/v1`, without the parts in `[ ]`. (Every `{name}` of a
    // template is a parameter, required (or with a default) unless written `{/name}`: see the tests.)
    let mut rest = op.template();
    if let Some((dir, seg)) = &scope {
        path.push_str("/v1/");
        path.push_str(dir);
        path.push_str("s/");
        path.push_str(seg);
        rest = rest.get(3..).unwrap_or("");
    }
    let mut skip = false;
    let mut open = 0;
    while let Some(&c) = rest.as_bytes().get(open) {
        if !matches!(c, b'{' | b'[' | b']') {
            open += 1;
            continue;
        }
        // SAFETY: the byte at `open` is ASCII: `open` and `open + 1` are character boundaries.
        let (before, after) = unsafe { (rest.get_unchecked(..open), rest.get_unchecked(open + 1..)) };
        if !skip {
            path.push_str(before);
        }
        rest = after;
        open = 0;
        match c {
            b'[' => skip = scope.is_some(),
            b']' => skip = false,
            _ => {
                let (name, after) = cut(rest, b'}');
                rest = after;
                let optional = name.as_bytes().first() == Some(&b'/');
                // SAFETY: after a first byte that is ASCII (`/`).
                let key = if optional { unsafe { name.get_unchecked(1..) } } else { name };
                if let Some((_, seg)) = segments.iter().find(|(n, _)| *n == key) {
                    if optional {
                        path.push('/');
                    }
                    path.push_str(seg);
                }
            }
        }
    }
    path.push_str(rest);
    // Each present value of a query object a scalar, an array repeating its key.
    for (key, item) in &pairs {
        // (An array that cannot be read is refused as a value.)
        let items = item.items().ok().flatten();
        for one in items.as_deref().unwrap_or(core::slice::from_ref(item)) {
            if !one.is_absent() {
                query.push((key, scalar(one, b'k', ctx, key)?));
            }
        }
    }
    path.push_str(&encode::query(&query));
    if !op.accept.is_empty() {
        // (`.name` is `application/vnd.arduino.name`.)
        let mut accept = String::new();
        if op.accept.as_bytes().first() == Some(&b'.') {
            accept.push_str("application/vnd.arduino");
        }
        accept.push_str(op.accept);
        headers.push(("Accept", accept));
    }
    let payload = match op.flags & BODY_MASK {
        // A file given to a JSON call makes it a multipart upload of its files.
        BODY_JSON if !files.is_empty() => Some(Payload::Multipart(files)),
        BODY_JSON => {
            // An optional body the call left out: none is sent; an object of `j` fields always is.
            let body = match json {
                Some(v) => Some(Payload::Json(v)),
                None if object => Some(Payload::Object(fields)),
                None => None,
            };
            if body.is_some() {
                headers.push(("Content-Type", "application/json".into()));
            }
            body
        }
        BODY_MULTIPART => {
            files.append(&mut fields);
            Some(Payload::Multipart(files))
        }
        BODY_FORM => {
            headers.push(("Content-Type", "application/x-www-form-urlencoded".into()));
            Some(Payload::Form(fields))
        }
        _ => None,
    };
    Ok(Call {
        method,
        path,
        headers,
        payload,
        organization,
        // A list in a product's or an organization's scope comes wrapped in an object (`{devices, meta}`).
        shape: match (op.shape(), &scope) {
            (Shape::Array, Some(_)) => Shape::Object,
            (shape, _) => shape,
        },
        extra: Vec::new(),
        signal: None,
        timeout_ms: None,
        token,
        page_size,
        cursor,
    })
}

const FILE: &str = "must be a Blob, File, ArrayBuffer, typed array or Buffer";

/// An integer within `range` (`min-max` or `min`).
#[inline(never)]
pub(crate) fn in_range<A: Arg>(v: &A, range: &str, ctx: &str, name: &str) -> Result<(), Error> {
    let (min, max) = cut(range, b'-');
    let n = match v.number() {
        Some((text, true)) => encode::whole32(&text),
        _ => None,
    };
    let within = |n: u32| {
        encode::whole32(min).is_some_and(|m| n >= m) && (max.is_empty() || encode::whole32(max).is_some_and(|m| n <= m))
    };
    if n.is_some_and(within) {
        return Ok(());
    }
    let to = if max.is_empty() { "" } else { " to " };
    Err(bad(ctx, name, &encode::cat(&["must be an integer from ", min, to, max])))
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` (`toISOString()`, years 0000–9999) as `YYYY-MM-DD HH:MM:SS`, IoTConnect's format:
/// its bytes cut at the `.`, the `T` made a space. Any other text: none.
fn sql_utc(iso: String) -> Option<String> {
    let mut b = iso.into_bytes();
    let [_, _, _, _, _, _, _, _, _, _, t @ b'T', _, _, _, _, _, _, _, _, b'.', _, _, _, _] = &mut b[..] else {
        return None;
    };
    *t = b' ';
    b.truncate(19);
    // SAFETY: UTF-8 cut before an ASCII byte (`.`), and an ASCII byte (`T`) changed to another.
    Some(unsafe { String::from_utf8_unchecked(b) })
}

/// Option `js` of the options object (`a.b`: key `b` of the object `a`).
#[inline(never)]
fn o_field<A: Arg>(opts: Option<&A>, js: &str, ctx: &str) -> Result<Option<A>, Error> {
    let Some(o) = opts else { return Ok(None) };
    let read = |o: &A, key: &str| o.field(key).map_err(|()| bad(ctx, js, "could not be read"));
    match split(js, b'.') {
        None => read(o, js),
        Some((outer, inner)) => match read(o, outer)? {
            Some(v) if v.is_object() => read(&v, inner),
            Some(_) => Err(bad(ctx, outer, "must be an object")),
            None => Ok(None),
        },
    }
}

/// The time in milliseconds since 1970.
fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }
}

/// A file sent as multipart field `field` with the file name `name`, whatever name the value has.
fn named_file(field: String, name: String, data: Value) -> Value {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Array::of3(&data, &Value::from(name), &Value::from(field)).into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        encode::cat(&[&field, ":", &name, ":", &data])
    }
}

/// A text form field as a body value.
fn text_value(s: String) -> Value {
    #[cfg(target_arch = "wasm32")]
    {
        Value::from(s)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        s
    }
}

/// A positional argument borrowed from the call, or an option read out of the options object.
enum ArgRef<'a, A> {
    Borrowed(&'a A),
    Owned(A),
}

impl<A> ArgRef<'_, A> {
    fn get(&self) -> &A {
        match self {
            ArgRef::Borrowed(a) => a,
            ArgRef::Owned(a) => a,
        }
    }
}

/// The cursor of the next page of a [`PAGE_LEK`] operation: `last_evaluated_key.created_at` of this page,
/// unless the page was empty or the cursor did not move (a server that ignores `start` would otherwise
/// be asked for the same page forever).
pub fn next_start<B: crate::http::Body>(page: &B, items: usize, previous: Option<&str>) -> Option<String> {
    if items == 0 {
        return None;
    }
    let key = page.get("last_evaluated_key")?.str_at("created_at")?;
    (!key.is_empty() && Some(key.as_str()) != previous).then_some(key)
}

// Native only: request bodies are JSON text there (on wasm32 the unit tests are not run).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
