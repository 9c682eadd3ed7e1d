//! The unified device model: one API over the four clouds (`connect(vendor, options)` → a `Cloud` with
//! `devices`, `readings`, `history`, `command`, `events`). Everything it decides is here, as data: one line
//! per vendor ([`VENDORS`]) says what the vendor can do, which operations of its table each method sends (a
//! small recipe of steps) and which fields of the answers make a device, a reading, a point and an event;
//! one generic path reads it ([`start`], [`resume`]). Change detection of polled readings ([`changes`]) and
//! the events of a stream with their bounded history ([`event`]) are here too.
//!
//! A method runs as a conversation, like an event stream's (pkg-templates/events.mjs): [`start`] checks the
//! arguments and answers the calls of the recipe's first step; the Cloud (pkg-templates/common.mjs) sends them
//! through the client's own invoke path and scheduler, and [`resume`] reads their answers and answers the
//! next step's calls, until the method's answer. `js/unified.rs` is the wasm edge.

use crate::prelude::*;

use crate::error::{Error, Vendor};
use crate::http::encode::{cat, num};
use crate::http::Body;
use crate::ops::{bad, split, Arg};
use crate::vendors::Client;

/// `what` of the edge's one call: `connect()`'s settings (the request rate).
pub const SETUP: u32 = 0;
/// `devices(opts)`: `[devices, cursor of the next page]` (a paging cloud only).
pub const DEVICES: u32 = 1;
pub const READINGS: u32 = 2;
pub const HISTORY: u32 = 3;
pub const COMMAND: u32 = 4;
/// `events(deviceId, opts)` is checked: the poll interval (ms), or -1 for a cloud that streams its events.
pub const EVENTS: u32 = 5;
/// Which polled readings changed ([`changes`]).
pub const CHANGES: u32 = 6;
/// One event of a stream ([`event`]).
pub const EVENT: u32 = 7;
/// The answers of a step's calls ([`resume`]).
pub const STEP: u32 = 8;

const METHODS: [&str; 5] = ["devices", "readings", "history", "command", "events"];

/// One line per vendor, in [`Vendor`] order, fields separated by `|`:
///
/// 0. what it can do: `pages rate window arg command events` — whether the cloud pages its device list
///    (`1`), the requests per second the scheduler keeps to by default, the longest history window in days
///    (`0`: none), what a command's `arg` is (`j` any JSON value, required; `s` a string or nothing; `-` no
///    commands), what a command is there (`-`: none) and how events come (`stream` or `poll`);
/// 1. to 4. the recipes of `devices`, `readings`, `history` and `command` (empty: unsupported): steps
///    separated by `;`, each `op:args:pick`, the operation `op` of the vendor's table (src/ops) called with
///    `args` — comma-separated: a slot (`d` the device id, `n` the name, `a` the command's argument, `p` the
///    page, `c` the page cursor, `x` what the step before picked, `k` the item of a fan-out) is a positional
///    argument, `key=slot` a key of the object that follows them, `key` alone the call's option of that name
///    (the call's `signal` and `timeoutMs` go with every request) — then `pick` from the answer: a path
///    (`data`), then `?key.path`, the item of the list whose `key` is the name, and a path in it. `*op:args:pick`
///    sends the call once for each item of `x` (the keys of an object, the items of an array) and makes rows
///    `[item, value, picked]`; without `op`, the rows are `[item, value, x]` and nothing is sent;
/// 5. to 7. the paths (comma-separated, dotted) of a device's `id name online lastSeen raw`, a reading's
///    `name value type updatedAt` and a point's `time value` in each row of the answer: empty is the row,
///    `-` none (null), `$` the field named by the call's `name`, `~path` the JavaScript type of the value,
///    `!path` the value, and the row is left out without one;
/// 8. the paths of a streamed event's `deviceId name value time raw`.
pub static VENDORS: [&str; 4] = [
    // Arduino IoT Cloud: a device is a thing (things carry no connection state), its readings the thing's
    // properties, a command a property's new value (published), history the property's time series.
    "0 10 0 j property poll|65::|71:d:|71:d:?name.id;78:d,x,from,to:data|71:d:?name.id;76:d,x,value=a:|\
     id,name,-,-,|name,last_value,type,value_updated_at|time,value|",
    // Particle: readings are the device's variables, each read; a command is a function call; history is
    // what this Cloud's event stream has seen.
    "0 33 0 s function stream|0::|1:deviceId=d:variables;*16:deviceId=d,name=k:||\
     21:deviceId=d,name=n,argument=a:return_value|id,name,online,last_heard,|0,2.result,1,2.coreInfo.last_heard|\
     time,value|coreid,name,data,published_at,",
    // cThings: no list call (the device ids are `connect()`'s `devices` option); readings are the fields of
    // the device object.
    "0 10 0 - - poll|*0:k:|0:d:;*::|||2.id,2.name,2.connection.status,2.connection.lastConnected,2|\
     0,1,~1,2.connection.lastConnected||",
    // Avnet IoTConnect: paged devices; latest telemetry; history by the device's unique id; a command by its
    // name in the device's template.
    "1 10 7 s command poll|1:pageNumber=p,pageSize,start=c:|21:d:|2:d:uniqueId;23:x,from,to:|\
     2:d:templateGuid;14:x:?command.guid;15:d,commandGuid=x,parameterValue=a:|\
     guid,displayName,isConnected,lastActivityDate,|attributeName,attributeValue,dataType,deviceUpdatedDate|\
     time,!$|",
];

// The fields of a device, a reading, a point and an event (`@`: a date).
const DEVICE: &str = "id name online @lastSeen raw";
const READING: &str = "name value type @updatedAt";
const POINT: &str = "@time value";
const EVENT_FIELDS: &str = "deviceId name value @time raw";

const MAX_MS: u32 = 2_147_483_647;

/// The events of a stream a Cloud keeps for `history` (the newest).
pub const KEPT: u32 = 1_000;

/// Part `i` of `s` (parts separated by `sep`); empty past the last.
fn nth(s: &'static str, sep: u8, i: usize) -> &'static str {
    let mut rest = s;
    for _ in 0..i {
        rest = split(rest, sep).map_or("", |p| p.1);
    }
    split(rest, sep).map_or(rest, |p| p.0)
}

/// Field `i` of vendor `v`'s line.
fn line(v: usize, i: usize) -> &'static str {
    nth(VENDORS.get(v).copied().unwrap_or(""), b'|', i)
}

/// Word `i` of what vendor `v` can do (field 0).
fn can(v: usize, i: usize) -> &'static str {
    nth(line(v, 0), b' ', i)
}

/// What the edge needs of a value besides [`Body`] and [`Arg`]: building objects and lists, dates and
/// types. The platform's own values on wasm, JSON in native tests.
pub trait Json: Body + Arg {
    fn list() -> Self;
    fn map() -> Self;
    fn put(&mut self, key: &str, value: Self);
    fn push(&mut self, value: Self);
    /// A field of an object, or an item of an array by its index in decimal.
    fn child(&self, key: &str) -> Option<Self>;
    /// Item `i` of an array (undefined or null past its end).
    fn item(&self, i: usize) -> Self;
    /// Sets item `i` of an array (growing it).
    fn set(&mut self, i: usize, value: Self);
    /// Only the newest `max` items of an array are kept.
    fn trim(&mut self, max: u32);
    /// The value as a `Date` (a date-time string or ms); null when absent or not a date.
    fn as_date(&self) -> Self;
    /// The time now as a `Date`.
    fn now() -> Self;
    /// `typeof value`.
    fn kind(&self) -> Self;
    fn num(n: f64) -> Self;
    /// Checks the call's own `signal` and `timeoutMs` as every call's are.
    fn checked(opts: Option<&Self>, ctx: &str) -> Result<(), Error>;
}

/// The value at a dotted path (empty: the value itself); null when absent.
fn path<B: Json>(v: &B, p: &str) -> B {
    let mut out = v.clone();
    let mut rest = p;
    while !rest.is_empty() {
        let (seg, r) = split(rest, b'.').unwrap_or((rest, ""));
        rest = r;
        out = out.child(seg).unwrap_or_else(B::null);
    }
    out
}

/// The length of an array (0 for anything else).
fn len<B: Json>(v: &B) -> usize {
    v.head().map_or(0, |h| h.0)
}

/// `[a, b, c]`.
fn row<B: Json>(a: B, b: B, c: B) -> B {
    let mut r = B::array(Some(a), Some(b));
    r.push(c);
    r
}

/// `row` made into an object of the fields `fields` names (`@`: a date), added to `out`, each read from its
/// path in `paths` (see [`VENDORS`] 5–8); `None` when a `!` path finds nothing.
fn shape<B: Json>(row: &B, fields: &str, paths: &str, name: &str, mut out: B) -> Option<B> {
    let (mut fields, mut rest) = (fields, paths);
    while !fields.is_empty() {
        let (field, f) = split(fields, b' ').unwrap_or((fields, ""));
        let (p, r) = split(rest, b',').unwrap_or((rest, ""));
        (fields, rest) = (f, r);
        let v = match p.as_bytes().first() {
            Some(b'-') => B::null(),
            Some(b'$') => path(row, name),
            Some(b'~') => path(row, p.get(1..).unwrap_or("")).kind(),
            Some(b'!') => Some(path(row, p.get(1..).unwrap_or(""))).filter(|v| !v.is_absent())?,
            _ => path(row, p),
        };
        let v = if v.is_absent() { B::null() } else { v };
        match field.strip_prefix('@') {
            Some(f) => out.put(f, v.as_date()),
            None => out.put(field, v),
        }
    }
    Some(out)
}

/// Every row of the list `rows` as [`shape`] makes it (those it leaves out left out), with `vendor` first
/// when given.
fn rows<B: Json>(rows: &B, fields: &str, paths: &str, name: &str, vendor: Option<&str>) -> B {
    let mut out = B::list();
    for i in 0..len(rows) {
        let mut o = B::map();
        if let Some(v) = vendor {
            o.put("vendor", B::literal(v, false));
        }
        if let Some(o) = shape(&rows.item(i), fields, paths, name, o) {
            out.push(o);
        }
    }
    out
}

/// Option `key` of the call's options; an error when reading it throws.
fn option<B: Json>(ctx: &str, opts: &B, key: &str) -> Result<Option<B>, Error> {
    if opts.is_absent() {
        return Ok(None);
    }
    opts.field(key).map_err(|()| bad(ctx, key, "could not be read"))
}

/// A whole number option within `min..=max`, or `default`.
#[inline(never)]
fn int<B: Json>(ctx: &str, opts: &B, key: &str, min: u32, max: u32, default: u32) -> Result<u32, Error> {
    match option(ctx, opts, key)? {
        None => Ok(default),
        Some(v) => v
            .number()
            .filter(|n| n.1)
            .and_then(|n| n.0.parse::<u32>().ok())
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                bad(ctx, key, &cat(&["must be a whole number from ", &num(min.into()), " to ", &num(max.into())]))
            }),
    }
}

/// `connect()`'s request rate: `rateLimit` (requests per second), else the vendor's unless the client is
/// already spaced (its own `maxRequestsPerSecond`). Requests go 2 % further apart than the rate says, so
/// that timers firing late or early never put one more request into a second.
pub fn setup<B: Json>(client: &dyn Client<B>, vendor: Vendor, options: &B) -> Result<(), Error> {
    let rate = match option("connect", options, "rateLimit")? {
        Some(r) => r.as_f64().filter(|n| *n > 0.0 && *n <= 1000.0).ok_or_else(|| {
            bad("connect", "rateLimit", "must be a number of requests per second, above 0 and at most 1000")
        })?,
        None if client.spacing().get() > 0.0 => return Ok(()),
        None => f64::from(can(vendor as usize, 1).parse::<u32>().unwrap_or(1)),
    };
    client.spacing().set(1000.0 / (rate * 0.98));
    Ok(())
}

/// The items of `x` a step fans out over: an object's keys with their values, an array's items (each its
/// own value).
fn fan<B: Json>(x: &B, ctx: &str) -> Result<Vec<(B, B)>, Error> {
    let unreadable =
        || bad(ctx, "devices", "must be an array of device ids (connect()'s option: the cloud has no list call)");
    if Arg::is_object(x) {
        return Ok(x
            .entries()
            .map_err(|()| unreadable())?
            .into_iter()
            .map(|(k, v)| (B::literal(&k, false), v))
            .collect());
    }
    match x.items() {
        Ok(Some(items)) => Ok(items.into_iter().map(|i| (i.clone(), i)).collect()),
        _ => Err(unreadable()),
    }
}

// Where a call's state (its arguments `[deviceId, name, arg, opts, extra, start]`, then these) keeps what it
// needs between steps: the method, the offset of the step under way in its recipe, what the step before
// picked, the items of a fan-out. `p` (the page) is kept as `extra`, once `devices` has read that.
const WHAT: usize = 6;
const AT: usize = 7;
const X: usize = 8;
const ITEMS: usize = 9;
/// The slots of a recipe, by their index in the state.
const SLOTS: &[u8] = b"dna-pc--x";

/// A whole number kept in the state.
fn kept<B: Json>(st: &B, i: usize) -> usize {
    st.item(i).as_f64().unwrap_or(0.0) as usize
}

/// `vendor.method` (the method of `what`), for messages.
fn context(vendor: Vendor, what: usize) -> (&'static str, String) {
    let method = METHODS.get(what.wrapping_sub(1)).copied().unwrap_or("");
    (method, cat(&[vendor.as_str(), ".", method]))
}

/// A non-empty string argument.
fn text<B: Json>(v: &B, ctx: &str, key: &str) -> Result<String, Error> {
    match v.string() {
        Ok(Some(s)) if !s.is_empty() => Ok(s),
        _ => Err(bad(ctx, key, "must be a non-empty string")),
    }
}

/// An answer of the conversation: `[value]`.
fn done<B: Json>(value: B) -> Result<B, Error> {
    Ok(B::array(Some(value), None))
}

/// Method `what` ([`DEVICES`] … [`EVENTS`]) of `vendor` on `client`, with its arguments as the state `st`
/// (`[deviceId, name, arg, opts, extra, start]`; `extra`: `connect()`'s options for `devices`, the Cloud's
/// kept events for `history`; `start`: the next page's cursor). Checked first — what the vendor cannot do,
/// then every argument, before any request — then the calls of the first step ([`next`]).
#[inline(never)]
pub fn start<B: Json>(client: &dyn Client<B>, vendor: Vendor, what: u32, st: &mut B) -> Result<B, Error> {
    let v = vendor as usize;
    let w = what as usize;
    let (method, ctx) = context(vendor, w);
    let ctx = ctx.as_str();
    let stream = can(v, 5) == "stream";
    if what != EVENTS && line(v, w).is_empty() && !(what == HISTORY && stream) {
        return Err(Error::Unsupported(cat(&[vendor.as_str(), ": ", method, "() is not supported"])));
    }
    let o = st.item(3);
    if !o.is_absent() && !Arg::is_object(&o) {
        return Err(bad(ctx, "options", "must be an object"));
    }
    B::checked(Some(&o).filter(|o| !o.is_absent()), ctx)?;
    // The device id: required but by `devices` and `events`.
    let device = st.item(0);
    if what != DEVICES && (what != EVENTS || !device.is_absent()) {
        text(&device, ctx, "deviceId")?;
    }
    let name = if what == HISTORY || what == COMMAND { text(&st.item(1), ctx, "name")? } else { String::new() };
    let extra = st.item(4);
    let mut x = B::null();
    match what {
        EVENTS => {
            let ms = int(ctx, &o, "intervalMs", 1, MAX_MS, 5_000)?;
            return done(B::num(if stream { -1.0 } else { f64::from(ms) }));
        }
        DEVICES => {
            let page = int(ctx, &o, "page", 1, MAX_MS, 1)?;
            int(ctx, &o, "pageSize", 1, 1000, 0)?;
            if can(v, 0) != "1" && page > 1 {
                return done(B::array(Some(B::list()), None));
            }
            x = path(&extra, "devices");
            st.set(4, option(ctx, &o, "page")?.unwrap_or_else(B::null));
        }
        HISTORY => {
            let at = |key: &str| -> Result<f64, Error> {
                option(ctx, &o, key)?
                    .and_then(|t| t.utc())
                    .map(|t| t.0)
                    .ok_or_else(|| bad(ctx, key, "must be a Date or an ISO 8601 date-time"))
            };
            let (from, to) = (at("from")?, at("to")?);
            if from > to {
                return Err(bad(ctx, "from", "is after `to`"));
            }
            let days = can(v, 2);
            if days != "0" && to - from > f64::from(days.parse::<u32>().unwrap_or(0)) * 86_400_000.0 {
                return Err(Error::invalid(cat(&[
                    ctx,
                    ": the window from `from` to `to` is longer than ",
                    days,
                    " days",
                ])));
            }
            if stream {
                // The events this Cloud's stream has seen, of that name, within the window.
                let mut kept = B::list();
                for i in 0..len(&extra) {
                    let e = extra.item(i);
                    let t = path(&e, "time").utc().map_or(f64::NAN, |t| t.0);
                    if path(&e, "name").as_str().as_deref() == Some(name.as_str()) && t >= from && t <= to {
                        kept.push(e);
                    }
                }
                return done(rows(&kept, POINT, line(v, 7), &name, None));
            }
        }
        COMMAND => {
            let a = st.item(2);
            let any = can(v, 3) == "j";
            if if any { a.is_absent() } else { !a.is_absent() && !matches!(a.string(), Ok(Some(_))) } {
                return Err(bad(ctx, "arg", if any { "is required" } else { "must be a string" }));
            }
        }
        _ => {}
    }
    st.set(WHAT, B::num(f64::from(what)));
    st.set(AT, B::num(0.0));
    st.set(X, x);
    next(client, vendor, st)
}

/// The step of the recipe at the state's offset, and the offset of the one after it.
fn step<B: Json>(vendor: Vendor, st: &B) -> (&'static str, usize) {
    let at = kept(st, AT);
    let rest = line(vendor as usize, kept(st, WHAT)).get(at..).unwrap_or("");
    let step = split(rest, b';').map_or(rest, |p| p.0);
    (step, at + step.len() + 1)
}

/// The calls of the next step that sends any, `[st, "vendor.method", op, args, op, args, …]` (sent in that
/// order by the caller, every one checked before the first is sent), or the method's answer `[value]` when
/// the recipe is done.
fn next<B: Json>(client: &dyn Client<B>, vendor: Vendor, st: &mut B) -> Result<B, Error> {
    let (_, ctx) = context(vendor, kept(st, WHAT));
    loop {
        let (step, after) = step(vendor, st);
        if step.is_empty() {
            return done(finish(vendor, st));
        }
        let fanned = step.strip_prefix('*');
        let (op, s) = split(fanned.unwrap_or(step), b':').unwrap_or(("", ""));
        let list = split(s, b':').map_or(s, |p| p.0);
        let x = st.item(X);
        let items = match fanned {
            Some(_) => fan(&x, &ctx)?,
            None => vec![(B::null(), B::null())],
        };
        let mut out = B::array(Some(st.clone()), Some(B::literal(&ctx, false)));
        let mut keep = B::list();
        let index = op.parse::<usize>().ok();
        let positional = index.and_then(|i| client.op(i)).map_or(0, |op| op.positional());
        for (k, value) in items {
            if let Some(index) = index {
                out.push(B::num(index as f64));
                out.push(arguments(list, st, &k, positional, &ctx)?);
            }
            keep.push(row(k, value, x.clone()));
        }
        if index.is_some() {
            st.set(ITEMS, keep);
            return Ok(out);
        }
        // Rows without a request.
        st.set(X, keep);
        st.set(AT, B::num(after as f64));
    }
}

/// The arguments of a call of a step (see [`VENDORS`]), from the state `st` and the fan-out's item `k`; the
/// call's `signal` and `timeoutMs` go in its options object (after its `positional` arguments).
fn arguments<B: Json>(list: &str, st: &B, k: &B, positional: usize, ctx: &str) -> Result<B, Error> {
    let opts = st.item(3);
    let slot = |s: &str| match s.as_bytes() {
        [b'k'] => k.clone(),
        [c] => SLOTS.iter().position(|l| l == c).map_or_else(B::null, |i| st.item(i)),
        _ => B::null(),
    };
    let mut args = B::list();
    let mut n = 0;
    let mut obj: Option<B> = None;
    let mut rest = list;
    while !rest.is_empty() {
        let (item, r) = split(rest, b',').unwrap_or((rest, ""));
        rest = r;
        let v = match split(item, b'=') {
            None if item.len() == 1 => {
                args.push(slot(item));
                n += 1;
                continue;
            }
            Some((key, s)) => (key, Some(slot(s))),
            None => (item, option(ctx, &opts, item)?),
        };
        let o = obj.get_or_insert_with(B::map);
        if let (key, Some(v)) = v {
            if !v.is_absent() {
                o.put(key, v);
            }
        }
    }
    // The object is the options, or a body the options follow.
    let mut last = match obj {
        Some(o) if n < positional => {
            args.push(o);
            B::map()
        }
        o => o.unwrap_or_else(B::map),
    };
    for key in ["signal", "timeoutMs"] {
        if let Some(v) = option(ctx, &opts, key)? {
            last.put(key, v);
        }
    }
    args.push(last);
    Ok(args)
}

/// The answers of the calls [`next`] gave, read; then the calls of the next step, or the answer.
#[inline(never)]
pub fn resume<B: Json>(client: &dyn Client<B>, vendor: Vendor, st: &mut B, answers: &B) -> Result<B, Error> {
    let (step, after) = step(vendor, st);
    let (_, ctx) = context(vendor, kept(st, WHAT));
    let name = st.item(1).as_str().unwrap_or_default();
    let spec = split(step, b':').and_then(|p| split(p.1, b':')).map_or("", |p| p.1);
    let items = st.item(ITEMS);
    let mut rows = B::list();
    let mut x = B::null();
    for i in 0..len(answers) {
        x = pick(&answers.item(i), spec, &name, &ctx)?;
        let item = items.item(i);
        rows.push(row(item.item(0), item.item(1), x.clone()));
    }
    st.set(X, if step.starts_with('*') { rows } else { x });
    st.set(AT, B::num(after as f64));
    next(client, vendor, st)
}

/// What a step picks from its answer `r` (see [`VENDORS`]).
fn pick<B: Json>(r: &B, spec: &str, name: &str, ctx: &str) -> Result<B, Error> {
    let (head, find) = split(spec, b'?').unwrap_or((spec, ""));
    let r = path(r, head);
    if find.is_empty() {
        return Ok(r);
    }
    let (key, tail) = split(find, b'.').unwrap_or((find, ""));
    (0..len(&r))
        .map(|i| r.item(i))
        .find(|item| path(item, key).as_str().as_deref() == Some(name))
        .map(|item| path(&item, tail))
        .ok_or_else(|| Error::NotFound(cat(&[ctx, ": `", name, "` was not found on this device"])))
}

/// The answer of the method, from what the last step picked.
fn finish<B: Json>(vendor: Vendor, st: &B) -> B {
    let v = vendor as usize;
    let x = st.item(X);
    match kept(st, WHAT) as u32 {
        DEVICES => {
            let (items, next) = if can(v, 0) == "1" { (x.item(0), Some(x.item(1))) } else { (x, None) };
            let list = rows(&items, DEVICE, line(v, 5), "", Some(vendor.as_str()));
            B::array(Some(list), next.filter(|n| !n.is_absent()))
        }
        READINGS => rows(&x, READING, line(v, 6), "", None),
        HISTORY => rows(&x, POINT, line(v, 7), &st.item(1).as_str().unwrap_or_default(), None),
        _ => x,
    }
}

/// The events of polled `readings` of device `id` whose value changed since the poll before (`seen`: the
/// JSON text of each value, by device and name, kept by the caller): the first poll of a value is its
/// baseline and makes none.
pub fn changes<B: Json>(vendor: Vendor, seen: &mut B, id: &B, readings: &B) -> B {
    let device = id.as_str().unwrap_or_default();
    let mut out = B::list();
    for i in 0..len(readings) {
        let r = readings.item(i);
        let name = path(&r, "name").as_str().unwrap_or_default();
        let key = cat(&[&device, "\n", &name]);
        let text = path(&r, "value").fingerprint();
        let before = seen.get(&key);
        seen.put(&key, text.clone());
        if before.is_some_and(|b| b != text) {
            let mut e = B::map();
            e.put("vendor", B::literal(vendor.as_str(), false));
            e.put("deviceId", id.clone());
            if let Some(mut e) = shape(&r, "name value time raw", "name,value,updatedAt,", "", e) {
                if path(&e, "time").is_absent() {
                    e.put("time", B::now());
                }
                out.push(e);
            }
        }
    }
    out
}

/// The event of a vendor's stream `payload` (Particle's `{name, data, published_at, coreid}`), kept at the end
/// of `kept` (the Cloud's [`KEPT`] newest, for `history`).
pub fn event<B: Json>(vendor: Vendor, kept: &mut B, payload: &B) -> B {
    let mut e = B::map();
    e.put("vendor", B::literal(vendor.as_str(), false));
    let e = shape(payload, EVENT_FIELDS, line(vendor as usize, 8), "", e).unwrap_or_else(B::null);
    kept.push(e.clone());
    kept.trim(KEPT);
    e
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
