//! Operations as data: every vendor operation is a row of a table ([`Op`]), and one pure function,
//! [`prepare`], turns a row and the caller's arguments into the parts of a request — path segments checked
//! and encoded, query parameters typed and repeated where the API wants arrays, headers, and a body kept as
//! the caller's own value until the edge serializes it (`JSON.stringify`, `FormData`).
//!
//! The Arduino table is generated from the OpenAPI spec (`tools/generate.mjs`); the other vendors' rows
//! are written once from their fact sheets. Only what no row can say (a login, an envelope, an error
//! decoder, an event stream) is written by hand in the vendor modules.

pub mod arduino;
pub mod cthings;
pub mod iotconnect;
pub mod particle;

use crate::error::Error;
use crate::http::{encode, Method, Payload, Request, Shape, Value};

/// One operation. `params` lists the parameters in the order of the JavaScript call:
/// `<where><type>[!]<name>[=<jsName>]`, comma-separated.
///
/// - where: `p` path placeholder, `q` query, `h` header, `b` the whole JSON body (`name` is its JS name),
///   `f` a multipart or form field, `j` a field of a JSON body object (built at the edge), `t` the access
///   token of this call (instead of the client's), `n` the page size of a paged list ([`Call::page_size`]);
/// - type: `s` string, `b` boolean, `i` integer, `n` number, `d` date-time (a string or a `Date`), `a` array
///   of strings (a repeated query key), `o` JSON object, `l` JSON array, `j` any JSON value, `F` a file
///   (`Blob`, `File`, `ArrayBuffer`, a typed array or a `Buffer`);
/// - `!`: required. Required parameters are the positional arguments, in order; the others are keys of
///   the options object that follows them. With [`OPTS`], every parameter is a key of the one options
///   object, required ones included.
#[derive(Clone, Copy)]
pub struct Op {
    /// `"GET /iot/v2/things/{id}"`: the method, one space, the path template.
    pub route: &'static str,
    pub params: &'static str,
    /// The `Accept` header to send (`""`: none).
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
/// Sent to the vendor's device service (IoTConnect) rather than its first one.
pub const SVC_DEVICE: u16 = 256;
/// Paged by `pageNumber`/`pageSize` (the `n` parameter): every page is read, the items come as one array.
pub const PAGE_ALL: u16 = 512;

/// Row `index` of a table written as text: one operation a line, `route|params|accept|flags` with the flags
/// in decimal. (A table of text compresses far better than an array of structs, whose pointers do not.)
pub fn row(table: &'static str, index: usize) -> Option<Op> {
    let line = table.split('\n').nth(index)?;
    let mut f = line.split('|');
    let (route, params, accept) = (f.next()?, f.next()?, f.next()?);
    let flags = f.next()?.bytes().try_fold(0u16, |n, b| b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0')))?;
    Some(Op { route, params, accept, flags })
}

/// The number of rows of a text table.
pub fn rows(table: &str) -> usize {
    table.split('\n').count()
}

impl Op {
    pub fn method(&self) -> Method {
        match self.route.as_bytes().get(..3) {
            Some(b"GET") => Method::Get,
            Some(b"PUT") => Method::Put,
            Some(b"DEL") => Method::Delete,
            Some(b"PAT") => Method::Patch,
            _ => Method::Post,
        }
    }

    /// The path template, after the method.
    pub fn template(&self) -> &'static str {
        let at = self.route.bytes().position(|b| b == b' ').map_or(0, |i| i + 1);
        self.route.get(at..).unwrap_or("")
    }

    pub fn shape(&self) -> Shape {
        if self.flags & RET_ARRAY != 0 {
            Shape::Array
        } else if self.flags & RET_OBJECT != 0 {
            Shape::Object
        } else {
            Shape::Any
        }
    }

    /// How many positional arguments the call takes (its required parameters).
    pub fn positional(&self) -> usize {
        if self.flags & OPTS != 0 {
            return 0;
        }
        self.entries().filter(|p| p.required).count()
    }

    fn entries(&self) -> impl Iterator<Item = Param> {
        self.params.split(',').filter_map(Param::parse)
    }
}

/// One entry of [`Op::params`].
#[derive(Clone, Copy)]
struct Param {
    at: u8,
    kind: u8,
    required: bool,
    /// The API's name.
    name: &'static str,
    /// The name in JavaScript.
    js: &'static str,
}

impl Param {
    fn parse(entry: &'static str) -> Option<Param> {
        let b = entry.as_bytes();
        let (at, kind) = (*b.first()?, *b.get(1)?);
        let required = b.get(2) == Some(&b'!');
        let rest = entry.get(if required { 3 } else { 2 }..)?;
        let (name, js) = match rest.bytes().position(|c| c == b'=') {
            Some(i) => (rest.get(..i)?, rest.get(i + 1..)?),
            None => (rest, rest),
        };
        Some(Param { at, kind, required, name, js })
    }
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
    /// The items, if this is an array (at most 1,000 are read).
    fn items(&self) -> Result<Option<Vec<Self>>, ()>;
    /// A plain object: not an array, a function or a file.
    fn is_object(&self) -> bool;
    fn is_array(&self) -> bool;
    /// A `Blob`/`File`, an `ArrayBuffer` or a typed array (`Buffer` included).
    fn is_file(&self) -> bool;
    /// The value as a request body part.
    fn value(&self) -> Value;
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
}

impl Call {
    /// The request to send: `base` + path, the bearer token, and the organization of this call or else
    /// `default_org` when the operation takes one.
    pub fn request(&self, base: &str, token: &str, default_org: Option<&str>, org_header: bool) -> Request {
        let mut url = String::with_capacity(base.len() + self.path.len());
        url.push_str(base);
        url.push_str(&self.path);
        let mut req = Request::new(self.method, url).bearer(token).returns(self.shape);
        req.headers.extend(self.headers.iter().cloned());
        if org_header {
            if let Some(org) = self.organization.as_deref().or(default_org) {
                req.headers.push(("X-Organization", org.to_string()));
            }
        }
        req.payload = self.payload.clone();
        req.extra = self.extra.clone();
        req.signal = self.signal.clone();
        req.timeout_ms = self.timeout_ms;
        req
    }
}

fn bad(ctx: &str, name: &str, what: &str) -> Error {
    let mut m = String::with_capacity(ctx.len() + name.len() + what.len() + 8);
    m.push_str(ctx);
    m.push_str(": `");
    m.push_str(name);
    m.push_str("` ");
    m.push_str(what);
    Error::InvalidArgument(m)
}

/// The text of a scalar parameter (path, query, header, form field), checked against its type.
fn scalar<A: Arg>(v: &A, kind: u8, ctx: &str, name: &str) -> Result<String, Error> {
    let got = match kind {
        b'b' => v.boolean().map(|b| if b { "true" } else { "false" }.to_string()),
        b'i' => v.number().filter(|n| n.1).map(|n| n.0),
        b'n' => v.number().map(|n| n.0),
        // Strings take a `Date` too (sent as ISO 8601), as the official client's do.
        b's' | b'd' => match v.date() {
            Some(d) => Some(d),
            None => v.string().map_err(|()| bad(ctx, name, "is too long"))?,
        },
        _ => None,
    };
    got.ok_or_else(|| {
        bad(
            ctx,
            name,
            match kind {
                b'b' => "must be a boolean",
                b'i' => "must be an integer",
                b'n' => "must be a finite number",
                b'd' => "must be a Date or an ISO 8601 string",
                _ => "must be a string",
            },
        )
    })
}

/// A scalar that goes into a query, a header or the token: a string must not be empty (nor only spaces).
#[inline(never)]
fn filled<A: Arg>(v: &A, kind: u8, ctx: &str, name: &str) -> Result<String, Error> {
    let s = scalar(v, kind, ctx, name)?;
    if kind == b's' && s.trim().is_empty() {
        return Err(bad(ctx, name, "must be a non-empty string"));
    }
    Ok(s)
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
    let mut query: Vec<(&str, String)> = Vec::new();
    let mut headers: Vec<(&'static str, String)> = Vec::new();
    let mut fields: Vec<(&'static str, Value)> = Vec::new();
    let mut json = None;
    let mut segments: Vec<(&str, String)> = Vec::new();
    let mut next = 0;
    let mut organization = None;
    let (mut token, mut page_size, mut object) = (None, None, false);
    if op.flags & ORG != 0 {
        if let Some(o) = opts {
            if let Some(v) = o.field(org_key).map_err(|()| bad(ctx, org_key, "could not be read"))? {
                organization = Some(scalar(&v, b's', ctx, org_key)?);
            }
        }
    }
    let from_args = op.flags & OPTS == 0;
    for p in op.entries() {
        object |= p.at == b'j';
        let value = if p.required && from_args {
            next += 1;
            match args.get(next - 1).filter(|v| !v.is_absent()) {
                Some(v) => Some(ArgRef::Borrowed(v)),
                None => return Err(bad(ctx, p.js, "is required")),
            }
        } else {
            let v = match opts {
                Some(o) => o.field(p.js).map_err(|()| bad(ctx, p.js, "could not be read"))?.map(ArgRef::Owned),
                None => None,
            };
            if v.is_none() && p.required {
                return Err(bad(ctx, p.js, "is required"));
            }
            v
        };
        let Some(value) = value else { continue };
        let v = value.get();
        match p.at {
            b'p' => {
                let text = scalar(v, p.kind, ctx, p.js)?;
                let mut what = String::from(ctx);
                what.push_str(": `");
                what.push_str(p.js);
                what.push('`');
                segments.push((p.name, encode::path_segment(&what, &text)?));
            }
            b'q' if p.kind == b'a' => {
                let items = v.items().map_err(|()| bad(ctx, p.js, "could not be read"))?;
                let items = items.ok_or_else(|| bad(ctx, p.js, "must be an array of strings"))?;
                for item in &items {
                    query.push((p.name, filled(item, b's', ctx, p.js)?));
                }
            }
            b'q' => query.push((p.name, filled(v, p.kind, ctx, p.js)?)),
            b'h' => headers.push((p.name, filled(v, p.kind, ctx, p.js)?)),
            b't' => token = Some(filled(v, p.kind, ctx, p.js)?),
            b'n' => page_size = Some(scalar(v, b'i', ctx, p.js)?.parse().unwrap_or(0)),
            b'j' => {
                // Scalars are checked against their type; the value goes into the object as it is.
                if !matches!(p.kind, b'o' | b'l' | b'j') {
                    scalar(v, p.kind, ctx, p.js)?;
                }
                fields.push((p.name, v.value()));
            }
            b'b' => {
                let ok = match p.kind {
                    b'o' => v.is_object(),
                    b'l' => v.is_array(),
                    _ => true,
                };
                if !ok {
                    return Err(bad(ctx, p.js, if p.kind == b'o' { "must be an object" } else { "must be an array" }));
                }
                json = Some(v.value());
            }
            _ => {
                // A form field: files as they are, anything else as text.
                if p.kind == b'F' {
                    if !v.is_file() {
                        return Err(bad(ctx, p.js, "must be a Blob, File, ArrayBuffer, typed array or Buffer"));
                    }
                    fields.push((p.name, v.value()));
                } else {
                    fields.push((p.name, text_value(scalar(v, p.kind, ctx, p.js)?)));
                }
            }
        }
    }
    // The template with each `{name}` replaced by its encoded value.
    let mut rest = op.template();
    while let Some(open) = rest.bytes().position(|b| b == b'{') {
        path.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open + 1..).unwrap_or("");
        let close = after.bytes().position(|b| b == b'}').unwrap_or(after.len());
        let name = after.get(..close).unwrap_or("");
        match segments.iter().find(|(n, _)| *n == name) {
            Some((_, seg)) => path.push_str(seg),
            None => return Err(bad(ctx, name, "is required")),
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    path.push_str(rest);
    path.push_str(&encode::query(&query));
    if !op.accept.is_empty() {
        headers.push(("Accept", op.accept.to_string()));
    }
    let payload = match op.flags & BODY_MASK {
        BODY_JSON => {
            headers.push(("Content-Type", "application/json".into()));
            // An optional body the call left out: none is sent; an object of `j` fields always is.
            match json {
                Some(v) => Some(Payload::Json(v)),
                None if object => Some(Payload::Object(fields)),
                None => None,
            }
        }
        BODY_MULTIPART => Some(Payload::Multipart(fields)),
        BODY_FORM => {
            headers.push(("Content-Type", "application/x-www-form-urlencoded".into()));
            Some(Payload::Form(fields))
        }
        _ => None,
    };
    Ok(Call {
        method: op.method(),
        path,
        headers,
        payload,
        organization,
        shape: op.shape(),
        extra: Vec::new(),
        signal: None,
        timeout_ms: None,
        token,
        page_size,
    })
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

#[cfg(test)]
mod tests;
