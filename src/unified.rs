//! The unified device model: one API over the four clouds (`connect(vendor, options)` → a `Cloud` with
//! `devices`, `readings`, `history`, `command`, `events`). Everything it decides is here, as data: one line
//! per vendor ([`VENDORS`]) says what the vendor can do, which operations of its table each method sends (a
//! small recipe of steps) and which fields of the answers make a device, a reading, a point and an event;
//! one generic path reads it ([`run`]). Change detection of polled readings ([`changes`]) and the events of
//! a stream with their bounded history ([`event`]) are here too.
//!
//! A method runs as a conversation, like an event stream's (pkg-templates/events.mjs): [`run`] checks the
//! arguments and answers the calls of the recipe's first step; the Cloud (pkg-templates/common.mjs) sends them
//! through the client's own invoke path and scheduler and asks again with their answers, until the method's
//! answer. `js/unified.rs` is the wasm edge.

use crate::prelude::*;

use crate::error::{Error, Vendor};
use crate::http::Body;
use crate::ops::{bad, cut, in_range, Arg};
use crate::vendors::Client;

/// `what` of the edge's one call: `connect()`'s settings (the request rate).
pub const SETUP: u32 = 0;
/// `devices(opts)`: `[devices, cursor of the next page]` (a paging cloud only; the cursor goes back as the
/// option `start`).
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

/// The methods (from [`DEVICES`] on), `name:arguments:fields`: their arguments (`d` the device id, `n` the
/// name, `a` the command's argument, `o` the options) in order, each in the same place in every method that
/// takes it, the options last; the fields of the devices, readings and points they answer (`@`: a date).
const METHODS: &str = "devices:o:id name online @lastSeen raw|readings:do:name value type @updatedAt|\
                       history:dno:@time value|command:dnao:|events:do:";

/// Nine fields per vendor, in [`Vendor`] order, separated by `|`:
///
/// 0. what it can do, four flags: whether the cloud pages its device list (`1`), whether its events come as
///    a stream (`1`) rather than polled, what a command's argument is (`j` any JSON value, required; `s` a
///    string or nothing; `-` there are no commands) and the longest history window in days (`0`: none); the
///    `CAPABILITIES` of pkg-templates/common.mjs say the same (a test compares them) and the default rate;
/// 1. to 4. the recipes of `devices`, `readings`, `history` and `command` (empty: unsupported; `events`,
///    whose field is 5, is always supported): steps separated by `;`, each `op:args:pick`, the operation
///    `op` of the vendor's table (src/ops) called with `args` — comma-separated: a slot (`d` the device id,
///    `n` the name, `a` the command's argument, `x` what the step before picked, `k` and `v` the key and
///    value of a fan-out's item) is a positional argument; `key=slot` (or `key=option`) a key of the object
///    that follows them; `key` alone the method's option of that name; the call's `signal` and `timeoutMs`
///    go in that object, or in a new one after it when a `+` follows the keys (the object is then a body)
///    — then `pick` from the answer: a path (`data`), then `?key.path`, the item of the list whose `key` is
///    the name, and a path in it. A step without `op` (`:`) sends nothing and keeps `x` (a stream's
///    history: the events kept). `*op:args:pick` sends the call once for each item of `x` (an object's keys
///    and values, an array's indexes and items) and makes rows `[key, value, picked]`; without `op`, the
///    rows are `[key, value, x]` and nothing is sent;
/// 5. to 7. the paths (comma-separated, dotted) of a device's `id name online lastSeen raw`, a reading's
///    `name value type updatedAt` and a point's `time value` in each row of the answer: empty is the row,
///    `$` the field named by the call's `name`, `~path` the JavaScript type of the value,
///    `!path` the value, and the row is left out without one; `path=yes=no` true where the value is the
///    string `yes`, false where it is `no`, else null;
/// 8. the paths of a streamed event's `deviceId name value time raw`.
pub const VENDORS: &str = concat!(
    // Arduino IoT Cloud: a device is the thing its device is attached to (the devices list carries each one's
    // thing, its status and last activity; a thing without a device is not listed), its readings the thing's
    // properties, a command a property's new value (published), history the property's time series.
    "00j0|33::|71:d:|71:d:?name.id;78:d,x,from,to:data|71:d:?name.id;76:d,x,value=a,+:|\
     !thing.id,thing.name,device_status=ONLINE=OFFLINE,last_activity_at,|name,last_value,type,value_updated_at|\
     time,value||",
    // Particle: readings are the device's variables, each read; a command is a function call; history is
    // what this Cloud's event stream has seen.
    "01s0|0::|1:deviceId=d:variables;*16:deviceId=d,name=k:|:|\
     21:deviceId=d,name=n,argument=a:return_value|id,name,online,last_heard,|0,2.result,1,2.coreInfo.last_heard|\
     time,value|coreid,name,data,published_at,|",
    // cThings: no list call (the device ids are `connect()`'s `devices` option); readings are the fields of
    // the device's connection (status, last connected, signal strength, route), as of its last connection.
    "00-0|*0:v:|0:d:connection;*::|||2.id,2.name,2.connection.status,2.connection.lastConnected,2|\
     0,1,~1,2.lastConnected|||",
    // Avnet IoTConnect: paged devices; latest telemetry; history by the device's unique id; a command by its
    // name in the device's template.
    "10s7|1:pageNumber=page,pageSize,start:|21:d:|2:d:uniqueId;23:x,from,to:|\
     2:d:templateGuid;14:x:?command.guid;15:d,commandGuid=x,parameterValue=a,+:|\
     guid,displayName,isConnected,lastActivityDate,|attributeName,attributeValue,dataType,deviceUpdatedDate|\
     time,!$|",
);

/// Part `i` of `s` (parts separated by `sep`); empty past the last.
fn nth(s: &'static str, sep: u8, i: usize) -> &'static str {
    let mut rest = s;
    // (Past the last field every field is empty: a number out of range ends the walk there.)
    for _ in 0..i {
        if rest.is_empty() {
            break;
        }
        rest = cut(rest, sep).1;
    }
    cut(rest, sep).0
}

/// Field `i` of vendor `v`'s line.
fn line(v: usize, i: usize) -> &'static str {
    nth(VENDORS, b'|', v * 9 + i)
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
    /// The length of an array (0 for anything else).
    fn count(&self) -> usize;
    /// Item `i` of an array (undefined or null past its end).
    fn item(&self, i: usize) -> Self;
    /// The keys and values of an object (an array's indexes and items), one after the other: `[k, v, …]`;
    /// undefined for anything else.
    fn pairs(&self) -> Self;
    /// The value as a `Date` (from a date-time string or a `Date`); null when absent or not a date.
    fn as_date(&self) -> Self;
    /// The time now as a `Date`.
    fn now() -> Self;
    /// `typeof value`.
    fn kind(&self) -> Self;
    fn num(n: f64) -> Self;
}

/// The value at a dotted path (empty: the value itself); null when absent (or when reading it throws: an
/// option read so goes into a request that is checked, where its absence is an error when it is needed).
fn path<B: Json>(v: &B, p: &str) -> B {
    let mut out = v.clone();
    let mut rest = p;
    while !rest.is_empty() {
        let (seg, r) = cut(rest, b'.');
        rest = r;
        out = out.child(seg).unwrap_or_else(B::null);
    }
    out
}

/// `row` made into an object of the fields `fields` names (`@`: a date), added to `out`, each read from its
/// path in `paths` (see [`VENDORS`] 5–8); `None` when a `!` path finds nothing.
fn shape<B: Json>(row: &B, fields: &str, paths: &str, name: &str, mut out: B) -> Option<B> {
    let (mut fields, mut rest) = (fields, paths);
    while !fields.is_empty() {
        let (field, f) = cut(fields, b' ');
        let (p, r) = cut(rest, b',');
        (fields, rest) = (f, r);
        let q = p.strip_prefix('!').unwrap_or(p);
        let (required, p) = (q.len() < p.len(), q);
        let (p, is) = cut(p, b'=');
        let mut v = match p.as_bytes().first() {
            Some(b'$') => path(row, name),
            Some(b'~') => path(row, p.get(1..).unwrap_or("")).kind(),
            _ => path(row, p),
        };
        if !is.is_empty() {
            let (yes, no) = cut(is, b'=');
            v = match v {
                _ if v == B::literal(yes, false) => B::literal("true", true),
                _ if v == B::literal(no, false) => B::literal("false", true),
                _ => B::null(),
            };
        }
        if v.is_absent() {
            if required {
                return None;
            }
            v = B::null();
        }
        match field.strip_prefix('@') {
            Some(f) => out.put(f, v.as_date()),
            None => out.put(field, v),
        }
    }
    Some(out)
}

/// An object of the field `vendor`, the vendor's name.
fn tagged<B: Json>(vendor: Vendor) -> B {
    let mut o = B::map();
    o.put("vendor", B::literal(vendor.as_str(), false));
    o
}

/// Every row of the list `rows` as [`shape`] makes it (those it leaves out left out), with `vendor` first
/// when given.
fn rows<B: Json>(rows: &B, fields: &str, paths: &str, name: &str, vendor: Option<Vendor>) -> B {
    let mut out = B::list();
    for i in 0..rows.count() {
        let o = vendor.map_or_else(B::map, tagged);
        if let Some(o) = shape(&rows.item(i), fields, paths, name, o) {
            out.push(o);
        }
    }
    out
}

/// A whole number option `key` from 1 on (below 2^31), or `default`.
fn int<B: Json>(ctx: &str, opts: &B, key: &str, default: f64) -> Result<f64, Error> {
    let v = path(opts, key);
    if v.is_absent() {
        return Ok(default);
    }
    in_range(&v, "1-2147483647", ctx, key)?;
    Ok(v.as_f64().unwrap_or(default))
}

/// The time of option `key` (a `Date` or a date-time string), in ms since 1970.
fn at<B: Json>(ctx: &str, opts: &B, key: &str) -> Result<f64, Error> {
    path(opts, key).utc().map(|t| t.0).ok_or_else(|| bad(ctx, key, "must be a Date or an ISO 8601 date-time"))
}

/// `connect()`'s request rate: `rateLimit` (requests per second), else the vendor's `rate` (its
/// `CAPABILITIES`) unless the client is already spaced (its own `maxRequestsPerSecond`). Requests go 2 %
/// further apart than the rate says, so that timers firing late or early never put one more request into a
/// second.
pub fn setup<B: Json>(client: &dyn Client<B>, options: &B, rate: f64) -> Result<(), Error> {
    let r = path(options, "rateLimit");
    let rate = match r.as_f64() {
        Some(n) if n > 0.0 && n <= 1000.0 => n,
        _ if !r.is_absent() => {
            return Err(bad(
                "connect",
                "rateLimit",
                "must be a number of requests per second, above 0 and at most 1000",
            ))
        }
        _ if client.spacing().get() > 0.0 => return Ok(()),
        _ => rate,
    };
    client.spacing().set(1000.0 / (rate * 0.98));
    Ok(())
}

/// Method `what` ([`DEVICES`] … [`EVENTS`]) of `vendor` on `client`: `call` is `[args, done]`, the
/// method's arguments as given and the answers of its steps' calls so far (a list per step); `extra` is `connect()`'s options (`devices`) or the Cloud's kept events
/// (`history`). The answer is the calls of the next step, `[name, op, args, op, args, …]`, which the caller
/// checks (all of them), sends (one after the other) and adds the answers of to `done`; or, when every step
/// is answered, the method's answer `[value]`. Checked first, before any request: what the vendor cannot do,
/// and the arguments that no call of the first step checks.
pub fn run<B: Json>(vendor: Vendor, what: u32, extra: &B, call: &B) -> Result<B, Error> {
    let v = vendor as usize;
    let w = what as usize;
    let (method, s) = cut(nth(METHODS, b'|', w.wrapping_sub(1)), b':');
    let (layout, fields) = cut(s, b':');
    let mut context = String::from(vendor.as_str());
    context.push('.');
    context.push_str(method);
    let ctx = context.as_str();
    let args = call.item(0);
    // The arguments by their place in every method that takes them (the options last).
    let (d, a, o) = (args.item(0), args.item(2), args.item(layout.len().wrapping_sub(1)));
    let name = if layout.len() > 2 { args.item(1) } else { B::null() };
    let text = name.as_str().unwrap_or_default();
    let (pages, stream, kind, days) = match *line(v, 0).as_bytes() {
        [p, s, k, d, ..] => (p == b'1', s == b'1', k, d),
        _ => (false, false, b'-', b'0'),
    };
    // (Only the methods' own lines: a number out of range reads none.)
    let recipe = if w.wrapping_sub(1) < EVENTS as usize { line(v, w) } else { "" };
    if recipe.is_empty() {
        context.push_str(" is not supported");
        return Err(Error::Unsupported(context));
    }
    // (The methods that take a name: history and command.)
    if layout.len() > 2 && text.is_empty() {
        return Err(bad(ctx, "name", "must be a non-empty string"));
    }
    let mut x = B::null();
    match what {
        EVENTS => {
            return Ok(B::array(Some(B::num(if stream { -1.0 } else { int(ctx, &o, "intervalMs", 5_000.0)? })), None))
        }
        DEVICES => {
            x = path(extra, "devices");
            if !pages && int(ctx, &o, "page", 1.0)? > 1.0 {
                return Ok(B::array(Some(B::array(Some(B::list()), None)), None));
            }
        }
        HISTORY => {
            let (from, to) = (at(ctx, &o, "from")?, at(ctx, &o, "to")?);
            let days = f64::from(days.wrapping_sub(b'0'));
            if from > to || (days > 0.0 && to - from > days * 86_400_000.0) {
                return Err(bad(ctx, "from", "must be before `to` (IoTConnect: at most 7 days)"));
            }
            // A stream's history (its recipe sends nothing): the events this Cloud has seen of that device and
            // name, within the window.
            if stream {
                x = B::list();
                for i in 0..extra.count() {
                    let e = extra.item(i);
                    let t = at(ctx, &e, "time").unwrap_or(f64::NAN);
                    if path(&e, "name") == name && path(&e, "deviceId") == d && t >= from && t <= to {
                        x.push(e);
                    }
                }
            }
        }
        COMMAND
            if match kind {
                b'j' => a.is_absent(),
                _ => !a.is_absent() && a.as_str().is_none(),
            } =>
        {
            return Err(bad(ctx, "arg", "must be a string (Arduino: a value)"));
        }
        _ => {}
    }
    // The recipe, step by step: `done` has the answers of the first steps; the next one's calls are asked for.
    let done = call.item(1);
    let mut answered = 0;
    let mut rest = recipe;
    while !rest.is_empty() {
        let (step, r) = cut(rest, b';');
        rest = r;
        let fanned = step.strip_prefix('*');
        let (op, s) = cut(fanned.unwrap_or(step), b':');
        let (list, spec) = cut(s, b':');
        let items = if fanned.is_some() { x.pairs() } else { B::array(Some(B::null()), Some(B::null())) };
        if !Arg::is_array(&items) {
            return Err(bad(
                ctx,
                "devices",
                "must be an array of device ids (connect()'s option: the cloud has no list call)",
            ));
        }
        let answers = done.item(answered);
        let index = crate::http::encode::whole32(op);
        let mut calls = B::array(Some(B::literal(ctx, false)), None);
        let mut out = B::list();
        for i in 0..items.count() / 2 {
            let (k, value) = (items.item(2 * i), items.item(2 * i + 1));
            let got = match index {
                None => x.clone(),
                Some(_) if !answers.is_absent() => pick(&answers.item(i), spec, &name, &text, ctx)?,
                Some(index) => {
                    calls.push(B::num(f64::from(index)));
                    calls.push(arguments(list, &[&d, &name, &a, &o, &k, &value, &x]));
                    continue;
                }
            };
            if fanned.is_none() {
                x = got;
                break;
            }
            let mut row = B::array(Some(k), Some(value));
            row.push(got);
            out.push(row);
        }
        // (A fan-out over nothing sends nothing: no answers are asked for.)
        if index.is_some() && items.count() > 0 {
            if answers.is_absent() {
                return Ok(calls);
            }
            answered += 1;
        }
        if fanned.is_some() {
            x = out;
        }
    }
    if what == COMMAND {
        return Ok(B::array(Some(x), None));
    }
    let devices = what == DEVICES;
    let (items, next) = if devices && pages { (x.item(0), x.item(1)) } else { (x, B::null()) };
    let mut list = rows(&items, fields, line(v, w + 4), &text, devices.then_some(vendor));
    if devices {
        list = B::array(Some(list), Some(next).filter(|n| !n.is_absent()));
    }
    Ok(B::array(Some(list), None))
}

/// The arguments of a call of a step (see [`VENDORS`]), from the slots `dnaokvx` (`o`: the method's
/// options).
fn arguments<B: Json>(list: &str, slots: &[&B; 7]) -> B {
    let opts = slots[3];
    let mut out = B::list();
    let mut obj = B::map();
    // The step's arguments, then the call's `signal` and `timeoutMs`, options like any other.
    let (mut rest, mut then) = (list, "signal,timeoutMs");
    loop {
        if rest.is_empty() {
            if then.is_empty() {
                break;
            }
            rest = core::mem::take(&mut then);
        }
        let (item, r) = cut(rest, b',');
        rest = r;
        // A body: the object so far, which the options follow.
        if let [b'+'] = item.as_bytes() {
            out.push(core::mem::replace(&mut obj, B::map()));
            continue;
        }
        let (key, s) = cut(item, b'=');
        let s = if s.is_empty() { key } else { s };
        let v = match s.as_bytes() {
            // A slot, by its place in `dnaokvx` (the length of what comes before it).
            [c] => slots.get(cut("dnaokvx", *c).0.len()).map_or_else(B::null, |v| (*v).clone()),
            _ => path(opts, s),
        };
        if key.len() == 1 {
            out.push(v);
        } else if !v.is_absent() {
            obj.put(key, v);
        }
    }
    out.push(obj);
    out
}

/// What a step picks from its answer `r` (see [`VENDORS`]).
fn pick<B: Json>(r: &B, spec: &str, name: &B, text: &str, ctx: &str) -> Result<B, Error> {
    let (head, find) = cut(spec, b'?');
    let r = path(r, head);
    if find.is_empty() {
        return Ok(r);
    }
    let (key, tail) = cut(find, b'.');
    for i in 0..r.count() {
        let item = r.item(i);
        if path(&item, key) == *name {
            return Ok(path(&item, tail));
        }
    }
    let mut m = String::from(ctx);
    m.push_str(": `");
    m.push_str(text);
    m.push_str("` was not found on this device");
    Err(Error::NotFound(m))
}

/// The fields of an event (`@`: a date); those of a polled change from `name` on.
const EVENT_FIELDS: &str = "deviceId name value @time raw";

/// The events of polled `readings` of device `id` whose value changed since the poll before (`seen`: the
/// JSON text of each value, by device and name, kept by the caller): the first poll of a value is its
/// baseline and makes none.
pub fn changes<B: Json>(vendor: Vendor, seen: &mut B, id: &B, readings: &B) -> B {
    let mut out = B::list();
    for i in 0..readings.count() {
        let r = readings.item(i);
        let mut key = id.as_str().unwrap_or_default();
        key.push('\n');
        key.push_str(&path(&r, "name").as_str().unwrap_or_default());
        let text = path(&r, "value").fingerprint();
        let before = seen.get(&key);
        seen.put(&key, text.clone());
        if before.is_some_and(|b| b != text) {
            let mut e = tagged::<B>(vendor);
            e.put("deviceId", id.clone());
            if let Some(mut e) = shape(&r, EVENT_FIELDS.get(9..).unwrap_or(""), "name,value,updatedAt,", "", e) {
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
/// of `kept` (the Cloud's newest, for `history`; the Cloud bounds it).
pub fn event<B: Json>(vendor: Vendor, kept: &mut B, payload: &B) -> B {
    let e = tagged(vendor);
    let e = shape(payload, EVENT_FIELDS, line(vendor as usize, 8), "", e).unwrap_or_else(B::null);
    kept.push(e.clone());
    e
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
