use super::*;
use crate::http::encode::cat;
use crate::http::mock::{reply, Mock};
use crate::http::retry::RetryPolicy;
use crate::http::{Core, Payload, Request, Response};
use crate::vendors::arduino::Arduino;
use crate::vendors::cthings::CThings;
use crate::vendors::iotconnect::{IoTConnect, Solution, SERVICES};
use crate::vendors::particle::Particle;
use crate::vendors::{prepared, ClientConfig};
use alloc::rc::Rc;
use serde_json::{json, Value};

/// Plain JSON as the model's values; a date is its ISO 8601 text, `typeof` the JSON type's name.
impl Json for Value {
    fn list() -> Self {
        json!([])
    }
    fn map() -> Self {
        json!({})
    }
    fn put(&mut self, key: &str, value: Self) {
        if let Some(o) = self.as_object_mut() {
            o.insert(key.into(), value);
        }
    }
    fn push(&mut self, value: Self) {
        if let Some(a) = self.as_array_mut() {
            a.push(value);
        }
    }
    fn child(&self, key: &str) -> Option<Self> {
        match self {
            Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)).cloned(),
            Value::Object(o) => o.get(key).cloned(),
            _ => None,
        }
    }
    fn count(&self) -> usize {
        self.as_array().map_or(0, Vec::len)
    }
    fn item(&self, i: usize) -> Self {
        self.as_array().and_then(|a| a.get(i)).cloned().unwrap_or_default()
    }
    fn pairs(&self) -> Self {
        match self {
            Value::Object(o) => o.iter().flat_map(|(k, v)| [json!(k), v.clone()]).collect(),
            Value::Array(a) => a.iter().enumerate().flat_map(|(i, v)| [json!(i.to_string()), v.clone()]).collect(),
            _ => Value::Null,
        }
    }
    fn as_date(&self) -> Self {
        self.utc().map_or(Value::Null, |t| Value::String(t.1))
    }
    fn now() -> Self {
        json!("now")
    }
    fn kind(&self) -> Self {
        json!(match self {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Null => "undefined",
            _ => "object",
        })
    }
    fn num(n: f64) -> Self {
        json!(n)
    }
}

// ---------------------------------------------------------------------------------------------------------
// The clients, over a mock of each cloud, with a ready token (no login request).

const THING: &str = "6366de97-f549-43f8-9dd5-5a56c5ef95f5";
const CTHINGS_1: &str = "d5d60237-be30-4ca6-bc8b-e9d5a947404c";
const CTHINGS_2: &str = "60393444-2f6a-4a0d-8560-f11df227d30d";

fn config(mock: &Rc<Mock>) -> ClientConfig<Rc<Mock>> {
    ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() }
}

fn arduino(mock: &Rc<Mock>) -> Arduino<Rc<Mock>> {
    Arduino::new(config(mock), "https://a.test".into(), None, Some("tok".into()), None, false)
}

fn particle(mock: &Rc<Mock>) -> Particle<Rc<Mock>> {
    Particle::new(Core::new(mock.clone(), RetryPolicy::default()), "https://p.test".into(), None, Some("tok".into()))
}

fn cthings(mock: &Rc<Mock>) -> CThings<Rc<Mock>> {
    CThings::new(config(mock), "https://auth.test".into(), "https://c.test".into(), None, Some("tok".into()))
}

fn iotconnect(mock: &Rc<Mock>) -> IoTConnect<Rc<Mock>> {
    let urls = SERVICES.iter().map(|s| cat(&["https://", s, ".test"])).collect();
    let solution =
        Solution { discovery_url: "".into(), solution_key: "".into(), environment: "".into(), platform: "".into() };
    IoTConnect::new(config(mock), solution, Some(urls), None, Some("tok".into()))
}

/// A cloud answering `routes` (`"METHOD url-suffix"` and its JSON answer; the longest match wins), 404 else.
fn cloud(routes: &'static [(&'static str, &'static str)]) -> Rc<Mock> {
    Mock::new(move |req: &Request, _| {
        let line = cat(&[req.method.as_str(), " ", &req.url]);
        let path = line.split('?').next().unwrap_or_default();
        routes
            .iter()
            .filter(|(route, _)| {
                let (method, suffix) = route.split_once(' ').unwrap();
                path.starts_with(method) && path.ends_with(suffix)
            })
            .max_by_key(|(route, _)| route.len())
            .map_or_else(|| reply(404, r#"{"error":"not_found"}"#), |(_, body)| reply(200, body))
    })
}

/// A method of the model as the Cloud runs it: asked, each step's calls checked (all) and sent (in order),
/// asked again with their answers, until the answer.
fn method(client: &dyn Client<Value>, vendor: Vendor, what: u32, args: Value, extra: Value) -> Result<Value, Error> {
    let mut done = json!([]);
    loop {
        let r = run(vendor, what, &extra, &json!([args.clone(), done.clone()]))?;
        let r = r.as_array().unwrap().clone();
        if r.len() < 2 {
            return Ok(r[0].clone());
        }
        let name = r[0].as_str().unwrap().to_string();
        let calls: Vec<(usize, Vec<Value>)> =
            r[1..].chunks(2).map(|c| (c[0].as_f64().unwrap() as usize, c[1].as_array().unwrap().clone())).collect();
        for (op, args) in &calls {
            prepared(client, *op, &name, args, "organization")?;
        }
        let mut answers = vec![];
        for (op, args) in &calls {
            answers.push(crate::vendors::run(client, *op, &name, args)?.body);
        }
        done.as_array_mut().unwrap().push(Value::Array(answers));
    }
}

fn sent(mock: &Mock) -> Vec<String> {
    mock.requests.borrow().iter().map(|r| cat(&[r.method.as_str(), " ", &r.url])).collect()
}

fn json_of(req: &Request) -> Value {
    match &req.payload {
        Some(Payload::Json(text)) => serde_json::from_str(text).unwrap(),
        Some(Payload::Object(fields)) => {
            fields.iter().map(|(k, v)| (k.to_string(), serde_json::from_str::<Value>(v).unwrap())).collect()
        }
        other => panic!("no JSON body: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// The table

#[test]
fn every_recipe_names_the_operations_it_means() {
    let mock = cloud(&[]);
    let route = |c: &dyn Client<Value>, i: usize| c.op(i).unwrap().route;
    let a = arduino(&mock);
    assert_eq!(route(&a, 33), "GET /iot/v2/devices");
    assert_eq!(route(&a, 71), "GET /iot/v2/things/{id}/properties");
    assert_eq!(route(&a, 76), "PUT /iot/v2/things/{id}/properties/{pid}/publish");
    assert_eq!(route(&a, 78), "GET /iot/v2/things/{id}/properties/{pid}/timeseries");
    let p = particle(&mock);
    assert_eq!(route(&p, 0), "GET /v1/devices");
    assert_eq!(route(&p, 1), "GET /v1/devices/{deviceId}");
    assert_eq!(route(&p, 16), "GET /v1/devices/{deviceId}/{name}");
    assert_eq!(route(&p, 21), "POST /v1/devices/{deviceId}/{name}");
    assert_eq!(route(&cthings(&mock), 0), "GET /v3/device/{deviceId}");
    let i = iotconnect(&mock);
    assert_eq!(route(&i, 1), "GET /device/Device");
    assert_eq!(route(&i, 2), "GET /device/Device/{guid}");
    assert_eq!(route(&i, 14), "GET /device/template-command/{templateGuid}");
    assert_eq!(route(&i, 15), "POST /device/template-command/device/{deviceGuid}/send");
    assert_eq!(route(&i, 21), "GET /telemetry/Telemetry/device/{deviceGuid}");
    assert_eq!(route(&i, 23), "GET /telemetry/Telemetry/attribute-history/device/{uniqueId}/from/{from}/to/{to}");
}

/// `CAPABILITIES` as pkg-templates/common.mjs exports it (`vendor: cap(pages, history, command, events,
/// rateLimit)`) says what this table does: paging, history, commands, streamed or polled events.
#[test]
fn the_exported_capabilities_are_this_table() {
    assert_eq!(VENDORS.split('|').count(), 4 * 9, "nine fields per vendor");
    assert!(line(3, 0).starts_with("10"), "IoTConnect's flags");
    // `events` is told supported by its field, the devices' paths.
    assert!((0..4).all(|v| !line(v, 5).is_empty()));
    let js = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pkg-templates/common.mjs")).unwrap();
    for (v, vendor) in ["arduino", "particle", "cthings", "iotconnect"].iter().enumerate() {
        let flags = line(v, 0).as_bytes();
        let start = js.find(&format!("  {vendor}: cap(")).expect(vendor) + vendor.len() + 8;
        let caps: Vec<&str> = js[start..].split(')').next().unwrap().split(", ").collect();
        assert_eq!(caps[0], if flags[0] == b'1' { "true" } else { "false" }, "{vendor}: pages");
        let history = !line(v, 3).is_empty() || flags[1] == b'1';
        assert_eq!(caps[1], history.to_string(), "{vendor}: history");
        assert_eq!(caps[2] == "false", flags[2] == b'-', "{vendor}: command");
        assert_eq!(caps[2] == "false", line(v, 4).is_empty(), "{vendor}: command");
        assert_eq!(caps[3], if flags[1] == b'1' { "'stream'" } else { "'poll'" }, "{vendor}: events");
        assert!(caps[4].parse::<u32>().unwrap() > 0, "{vendor}: rateLimit");
    }
}

// ---------------------------------------------------------------------------------------------------------
// devices

/// Arduino's devices list: each device carries the thing it is attached to (the last one has none).
const ARDUINO_DEVICES: &str = r#"[
    {"id":"d1","name":"lamp-board","device_status":"ONLINE","last_activity_at":"2025-01-02T07:31:12.000Z",
     "thing":{"id":"t1","name":"Lamp","device_id":"d1"}},
    {"id":"d2","device_status":"OFFLINE","thing":{"id":"t2","name":"Pump"}},
    {"id":"d3","device_status":"UNKNOWN","thing":{"id":"t3","name":"Fan"}},
    {"id":"d4","device_status":"ONLINE"}]"#;

#[test]
fn arduino_devices_are_the_things_of_its_devices() {
    let mock = cloud(&[("GET /iot/v2/devices", ARDUINO_DEVICES)]);
    let got = method(&arduino(&mock), Vendor::Arduino, DEVICES, json!([]), json!(null)).unwrap();
    let raw: Value = serde_json::from_str(ARDUINO_DEVICES).unwrap();
    assert_eq!(
        got,
        json!([[
            {"vendor":"arduino","id":"t1","name":"Lamp","online":true,"lastSeen":"2025-01-02T07:31:12.000Z","raw":raw[0]},
            {"vendor":"arduino","id":"t2","name":"Pump","online":false,"lastSeen":null,"raw":raw[1]},
            {"vendor":"arduino","id":"t3","name":"Fan","online":null,"lastSeen":null,"raw":raw[2]}
        ]])
    );
    assert_eq!(sent(&mock), ["GET https://a.test/iot/v2/devices"]);
}

#[test]
fn particle_devices_and_a_cloud_that_does_not_page() {
    let mock = cloud(&[(
        "GET /v1/devices",
        r#"[{"id":"p1","name":"argon","online":true,"last_heard":"2025-01-02T07:31:12.000Z"},{"id":"p2","name":"boron","online":false}]"#,
    )]);
    let p = particle(&mock);
    let got = method(&p, Vendor::Particle, DEVICES, json!([{"pageSize": 1}]), json!(null)).unwrap();
    let list = got[0].as_array().unwrap();
    assert_eq!(list.len(), 2, "every device on page 1");
    assert_eq!(list[0]["lastSeen"], "2025-01-02T07:31:12.000Z");
    assert_eq!((list[1]["online"].clone(), list[1]["lastSeen"].clone()), (json!(false), json!(null)));
    assert_eq!(got.get(1), None, "no next page");
    // Page 2 of a cloud that does not page is empty, and nothing is sent.
    let before = sent(&mock).len();
    assert_eq!(method(&p, Vendor::Particle, DEVICES, json!([{"page": 2}]), json!(null)).unwrap(), json!([[]]));
    assert_eq!(sent(&mock).len(), before);
}

#[test]
fn cthings_devices_are_read_one_by_one_from_connects_devices_option() {
    let mock = Mock::new(|req: &Request, _| {
        let id = req.url.rsplit('/').next().unwrap().to_string();
        let online = id == CTHINGS_1;
        let body = json!({"code":200,"data":{"id":id,"name":"n","connection":{"status":online,"lastConnected":"2024-12-28T03:14:09Z"}}});
        Ok(Response::new(200, body))
    });
    let c = cthings(&mock);
    let got = method(&c, Vendor::CThings, DEVICES, json!([]), json!({"devices":[CTHINGS_1, CTHINGS_2]})).unwrap();
    let list = got[0].as_array().unwrap();
    assert_eq!(list.iter().map(|d| d["id"].clone()).collect::<Vec<_>>(), [json!(CTHINGS_1), json!(CTHINGS_2)]);
    assert_eq!(list[0]["online"], true);
    assert_eq!(list[1]["lastSeen"], "2024-12-28T03:14:09.000Z");
    assert_eq!(list[0]["raw"]["name"], "n");
    assert_eq!(sent(&mock).len(), 2);
    // No ids: no devices, and nothing sent.
    let none = method(&c, Vendor::CThings, DEVICES, json!([]), json!({"devices":[]})).unwrap();
    assert_eq!(none, json!([[]]));
    assert_eq!(sent(&mock).len(), 2);
    // Without the ids, or with one that is no UUID, nothing is sent.
    let err = method(&c, Vendor::CThings, DEVICES, json!([]), json!({})).unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.message().contains("`devices`"), "{}", err.message());
    let err = method(&c, Vendor::CThings, DEVICES, json!([]), json!({"devices":[CTHINGS_1, "nope"]})).unwrap_err();
    assert_eq!(err.code(), "invalid_argument", "{}", err.message());
    assert_eq!(sent(&mock).len(), 2);
}

#[test]
fn iotconnect_devices_come_a_page_at_a_time_with_the_next_pages_cursor() {
    let page = r#"{"data":[{"guid":"g1","uniqueId":"u1","displayName":"One","isConnected":true,"lastActivityDate":"2025-01-01T00:00:00.000Z"},{"guid":"g2","uniqueId":"u2","displayName":"Two","isConnected":false,"lastActivityDate":null}],"status":200,"count":-1}"#;
    let routes: &'static [(&str, &str)] = Box::leak(Box::new([("GET /Device", page)]));
    let mock = cloud(routes);
    let i = iotconnect(&mock);
    let got = method(&i, Vendor::IoTConnect, DEVICES, json!([{"page": 3, "pageSize": 2}]), json!(null)).unwrap();
    assert_eq!(
        got[0][0],
        json!({"vendor":"iotconnect","id":"g1","name":"One","online":true,"lastSeen":"2025-01-01T00:00:00.000Z",
               "raw":{"guid":"g1","uniqueId":"u1","displayName":"One","isConnected":true,"lastActivityDate":"2025-01-01T00:00:00.000Z"}})
    );
    assert_eq!(got[0][1]["lastSeen"], json!(null));
    assert!(got[1].is_string(), "a full page has a next one: {got}");
    assert_eq!(sent(&mock), ["GET https://device.test/Device?pageNumber=3&pageSize=2"]);
    // The next page is asked for with the cursor, the option `start` (as the iterator sends it).
    let next =
        run(Vendor::IoTConnect, DEVICES, &json!(null), &json!([[{"pageSize": 2, "start": got[1]}], []])).unwrap();
    let call = next[2].as_array().unwrap().clone();
    let (_, c) = prepared(&i, 1, "iotconnect.devices", &call, "organization").unwrap();
    assert!(c.path.ends_with("pageNumber=4&pageSize=2"), "{}", c.path);
    // A page size out of range is refused before anything is sent.
    let err = method(&i, Vendor::IoTConnect, DEVICES, json!([{"pageSize": 0}]), json!(null)).unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert_eq!(sent(&mock).len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// readings

#[test]
fn readings_of_each_cloud() {
    let mock = cloud(&[(
        "GET /properties",
        r#"[{"id":"p1","name":"temperature","type":"FLOAT","last_value":21.5,"value_updated_at":"2025-01-08T17:40:55.000Z"},{"id":"p2","name":"status","type":"CHARSTRING","last_value":"ok"}]"#,
    )]);
    let got = method(&arduino(&mock), Vendor::Arduino, READINGS, json!([THING]), json!(null)).unwrap();
    assert_eq!(
        got,
        json!([{"name":"temperature","value":21.5,"type":"FLOAT","updatedAt":"2025-01-08T17:40:55.000Z"},
               {"name":"status","value":"ok","type":"CHARSTRING","updatedAt":null}])
    );
    assert_eq!(sent(&mock), [cat(&["GET https://a.test/iot/v2/things/", THING, "/properties"])]);

    // Particle: the device's variables, each read.
    let mock = cloud(&[
        ("GET /v1/devices/p1", r#"{"id":"p1","variables":{"temperature":"double","status":"string"}}"#),
        (
            "GET /v1/devices/p1/temperature",
            r#"{"name":"temperature","result":21.78,"coreInfo":{"last_heard":"2025-01-02T07:31:12.000Z"}}"#,
        ),
        ("GET /v1/devices/p1/status", r#"{"name":"status","result":"ok","coreInfo":{}}"#),
    ]);
    let got = method(&particle(&mock), Vendor::Particle, READINGS, json!(["p1"]), json!(null)).unwrap();
    assert_eq!(
        got,
        // (JSON objects of the native tests keep their keys sorted.)
        json!([{"name":"status","value":"ok","type":"string","updatedAt":null},
               {"name":"temperature","value":21.78,"type":"double","updatedAt":"2025-01-02T07:31:12.000Z"}])
    );
    assert_eq!(
        sent(&mock),
        [
            "GET https://p.test/v1/devices/p1",
            "GET https://p.test/v1/devices/p1/status",
            "GET https://p.test/v1/devices/p1/temperature"
        ]
    );

    // A device without variables has no readings (a fan-out over nothing sends nothing).
    let mock = cloud(&[("GET /v1/devices/p2", r#"{"id":"p2","variables":{}}"#)]);
    let got = method(&particle(&mock), Vendor::Particle, READINGS, json!(["p2"]), json!(null)).unwrap();
    assert_eq!(got, json!([]));
    assert_eq!(sent(&mock), ["GET https://p.test/v1/devices/p2"]);

    // cThings: the fields of the device's connection.
    let mock = cloud(&[(
        "GET /v3/device/d5d60237-be30-4ca6-bc8b-e9d5a947404c",
        r#"{"code":200,"data":{"active":true,"dataInterval":600,
            "connection":{"status":true,"lastConnected":"2024-12-28T03:14:09Z","signalStrength":-71.5,"route":["a8"]}}}"#,
    )]);
    let got = method(&cthings(&mock), Vendor::CThings, READINGS, json!([CTHINGS_1]), json!(null)).unwrap();
    let at = "2024-12-28T03:14:09.000Z";
    // (In the order of the object's keys: sorted in these tests' JSON, as sent in JavaScript.)
    assert_eq!(
        got,
        json!([{"name":"lastConnected","value":"2024-12-28T03:14:09Z","type":"string","updatedAt":at},
               {"name":"route","value":["a8"],"type":"object","updatedAt":at},
               {"name":"signalStrength","value":-71.5,"type":"number","updatedAt":at},
               {"name":"status","value":true,"type":"boolean","updatedAt":at}])
    );

    // IoTConnect: the latest telemetry.
    let mock = cloud(&[(
        "GET /Telemetry/device/g1",
        r#"{"data":[{"attributeName":"temperature","attributeValue":18.39,"dataType":"DECIMAL","deviceUpdatedDate":"2025-01-01T00:01:00.000Z"}],"status":200}"#,
    )]);
    let got = method(&iotconnect(&mock), Vendor::IoTConnect, READINGS, json!(["g1"]), json!(null)).unwrap();
    assert_eq!(
        got,
        json!([{"name":"temperature","value":18.39,"type":"DECIMAL","updatedAt":"2025-01-01T00:01:00.000Z"}])
    );
}

// ---------------------------------------------------------------------------------------------------------
// history

const WINDOW: &str = r#"{"from":"2025-01-01T00:00:00Z","to":"2025-01-02T00:00:00Z"}"#;

fn window() -> Value {
    serde_json::from_str(WINDOW).unwrap()
}

#[test]
fn arduino_history_looks_the_property_up_by_name() {
    let mock = cloud(&[
        ("GET /properties", r#"[{"id":"p1","name":"humidity"},{"id":"p2","name":"temperature"}]"#),
        ("GET /properties/p2/timeseries", r#"{"data":[{"time":"2025-01-01T10:00:00Z","value":14.2}]}"#),
    ]);
    let a = arduino(&mock);
    let got = method(&a, Vendor::Arduino, HISTORY, json!([THING, "temperature", window()]), json!(null)).unwrap();
    assert_eq!(got, json!([{"time":"2025-01-01T10:00:00.000Z","value":14.2}]));
    let reqs = sent(&mock);
    assert_eq!(reqs[0], cat(&["GET https://a.test/iot/v2/things/", THING, "/properties"]));
    assert_eq!(
        reqs[1],
        cat(&[
            "GET https://a.test/iot/v2/things/",
            THING,
            "/properties/p2/timeseries?from=2025-01-01T00%3A00%3A00Z&to=2025-01-02T00%3A00%3A00Z"
        ])
    );
    // A name the thing does not have.
    let err = method(&a, Vendor::Arduino, HISTORY, json!([THING, "pressure", window()]), json!(null)).unwrap_err();
    assert_eq!((err.code(), err.status()), ("not_found", None));
    assert_eq!(err.message(), "arduino.history: `pressure` was not found on this device");
}

#[test]
fn iotconnect_history_is_read_by_unique_id_and_attribute() {
    let mock = cloud(&[
        ("GET /Device/g1", r#"{"data":[{"guid":"g1","uniqueId":"sensor-01"}],"status":200}"#),
        (
            "GET /from/2025-01-01%2000%3A00%3A00/to/2025-01-02%2000%3A00%3A00",
            r#"{"data":[{"time":"2025-01-01T00:01:00.000Z","temperature":18.1,"humidity":40},{"time":"2025-01-01T00:02:00.000Z","humidity":41}],"status":200}"#,
        ),
    ]);
    let i = iotconnect(&mock);
    let got = method(&i, Vendor::IoTConnect, HISTORY, json!(["g1", "temperature", window()]), json!(null)).unwrap();
    assert_eq!(
        got,
        json!([{"time":"2025-01-01T00:01:00.000Z","value":18.1}]),
        "rows without the attribute are left out"
    );
    assert_eq!(sent(&mock)[1], "GET https://telemetry.test/Telemetry/attribute-history/device/sensor-01/from/2025-01-01%2000%3A00%3A00/to/2025-01-02%2000%3A00%3A00");
}

#[test]
fn history_windows_are_checked_before_anything_is_sent() {
    let mock = cloud(&[]);
    let i = iotconnect(&mock);
    let a = arduino(&mock);
    for (client, vendor, opts) in [
        (
            &i as &dyn Client<Value>,
            Vendor::IoTConnect,
            json!({"from":"2025-01-01T00:00:00Z","to":"2025-01-09T00:00:00Z"}),
        ),
        (&i, Vendor::IoTConnect, json!({"from":"2025-01-02T00:00:00Z","to":"2025-01-01T00:00:00Z"})),
        (&a, Vendor::Arduino, json!({"from":"2025-01-02T00:00:00Z","to":"2025-01-01T00:00:00Z"})),
        (&a, Vendor::Arduino, json!({"from":"yesterday","to":"2025-01-01T00:00:00Z"})),
        (&a, Vendor::Arduino, json!({"to":"2025-01-01T00:00:00Z"})),
        (&a, Vendor::Arduino, json!(null)),
    ] {
        let err = method(client, vendor, HISTORY, json!(["g1", "temperature", opts]), json!(null)).unwrap_err();
        assert_eq!(err.code(), "invalid_argument", "{opts}: {}", err.message());
    }
    // Arduino has no window limit.
    let long = json!({"from":"2024-01-01T00:00:00Z","to":"2025-01-01T00:00:00Z"});
    assert_eq!(run(Vendor::Arduino, HISTORY, &json!(null), &json!([[THING, "t", long], []])).unwrap()[1], 71.0);
    assert!(sent(&mock).is_empty());
}

#[test]
fn a_streams_history_is_the_events_this_cloud_has_kept() {
    let mut kept = json!([]);
    for (device, name, data, at) in [
        ("p1", "temperature", "21.5", "2025-01-01T10:00:00.000Z"),
        ("p2", "temperature", "30", "2025-01-01T10:00:01.000Z"),
        ("p1", "status", "ok", "2025-01-01T10:00:02.000Z"),
        ("p1", "temperature", "21.7", "2025-01-03T10:00:00.000Z"),
    ] {
        event(
            Vendor::Particle,
            &mut kept,
            &json!({"name":name,"data":data,"published_at":at,"coreid":device,"ttl":60}),
        );
    }
    let got = run(Vendor::Particle, HISTORY, &kept, &json!([["p1", "temperature", window()], []])).unwrap();
    assert_eq!(got, json!([[{"time":"2025-01-01T10:00:00.000Z","value":"21.5"}]]));
}

// ---------------------------------------------------------------------------------------------------------
// command

#[test]
fn commands_of_each_cloud() {
    // Arduino: the property's new value, published.
    let mock = cloud(&[
        ("GET /properties", r#"[{"id":"p1","name":"lamp"},{"id":"p2","name":"brightness"}]"#),
        ("PUT /properties/p2/publish", ""),
    ]);
    let got = method(&arduino(&mock), Vendor::Arduino, COMMAND, json!([THING, "brightness", 42]), json!(null)).unwrap();
    assert_eq!(got, json!(null));
    let req = mock.requests.borrow()[1].clone();
    assert_eq!(req.url, cat(&["https://a.test/iot/v2/things/", THING, "/properties/p2/publish"]));
    assert_eq!(json_of(&req), json!({"value": 42}));

    // Particle: a function call, resolving its return value.
    let mock = cloud(&[("POST /v1/devices/p1/led", r#"{"id":"p1","connected":true,"return_value":1}"#)]);
    let got = method(&particle(&mock), Vendor::Particle, COMMAND, json!(["p1", "led", "on"]), json!(null)).unwrap();
    assert_eq!(got, json!(1));
    assert_eq!(json_of(&mock.requests.borrow()[0]), json!({"arg": "on"}));

    // IoTConnect: the command of the device's template by its name.
    let mock = cloud(&[
        ("GET /Device/g1", r#"{"data":[{"guid":"g1","templateGuid":"t1"}],"status":200}"#),
        (
            "GET /template-command/t1",
            r#"{"data":[{"guid":"c1","command":"reboot"},{"guid":"c2","command":"led"}],"status":200}"#,
        ),
        ("POST /template-command/device/g1/send", r#"{"data":{"ackId":"a1","isAck":true},"status":200}"#),
    ]);
    let got = method(&iotconnect(&mock), Vendor::IoTConnect, COMMAND, json!(["g1", "led", "on"]), json!(null)).unwrap();
    assert_eq!(got, json!({"ackId":"a1","isAck":true}));
    let req = mock.requests.borrow()[2].clone();
    assert_eq!(json_of(&req), json!({"commandGuid":"c2","parameterValue":"on"}));
}

#[test]
fn command_arguments_are_checked_before_anything_is_sent() {
    let mock = cloud(&[]);
    let a = arduino(&mock);
    let i = iotconnect(&mock);
    let p = particle(&mock);
    for (client, vendor, args) in [
        (&a as &dyn Client<Value>, Vendor::Arduino, json!([THING, "lamp"])),
        (&a, Vendor::Arduino, json!([THING, "", true])),
        (&i, Vendor::IoTConnect, json!(["g1", "led", {"on": true}])),
        (&i, Vendor::IoTConnect, json!(["g1", 7, "on"])),
        (&p, Vendor::Particle, json!(["p1", "led", 1])),
        (&p, Vendor::Particle, json!(["", "led", "on"])),
    ] {
        let err = method(client, vendor, COMMAND, args.clone(), json!(null)).unwrap_err();
        assert_eq!(err.code(), "invalid_argument", "{args}: {}", err.message());
    }
    assert!(sent(&mock).is_empty());
}

// ---------------------------------------------------------------------------------------------------------
// What a vendor cannot do, bad options

#[test]
fn what_a_vendor_cannot_do_is_refused_before_any_request() {
    let mock = cloud(&[]);
    let c = cthings(&mock);
    for (what, name) in [(HISTORY, "history"), (COMMAND, "command")] {
        let err = method(&c, Vendor::CThings, what, json!([CTHINGS_1, "x", window()]), json!(null)).unwrap_err();
        assert_eq!((err.code(), err.status()), ("unsupported", Some(0)));
        assert_eq!(err.message(), cat(&["cthings.", name, " is not supported"]));
    }
    assert!(sent(&mock).is_empty());
}

#[test]
fn a_method_number_out_of_range_is_refused_at_once() {
    for what in [0, 9, 1000, u32::MAX] {
        let err = run(Vendor::Particle, what, &json!(null), &json!([[], []])).unwrap_err();
        assert_eq!(err.code(), "unsupported", "method {what}");
    }
}

#[test]
fn events_answer_the_poll_interval_or_that_the_cloud_streams() {
    let at = |v, opts: Value| run(v, EVENTS, &json!(null), &json!([[null, opts], []]));
    assert_eq!(at(Vendor::Arduino, json!(null)).unwrap(), json!([5000.0]));
    assert_eq!(at(Vendor::IoTConnect, json!({"intervalMs": 250})).unwrap(), json!([250.0]));
    assert_eq!(at(Vendor::Particle, json!(null)).unwrap(), json!([-1.0]));
    for bad in [json!(0), json!(1.5), json!("1000"), json!(-1)] {
        assert_eq!(at(Vendor::CThings, json!({"intervalMs": bad})).unwrap_err().code(), "invalid_argument");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Polled changes, streamed events

#[test]
fn a_poll_makes_an_event_per_changed_value_after_its_baseline() {
    let mut seen = json!({});
    let id = json!("t1");
    let poll = |t: f64, s: &str| {
        json!([{"name":"temperature","value":t,"type":"FLOAT","updatedAt":"2025-01-01T00:00:00.000Z"},
               {"name":"status","value":s,"type":"CHARSTRING","updatedAt":null},
               {"name":"where","value":{"lat":1},"type":"object","updatedAt":null}])
    };
    assert_eq!(
        changes(Vendor::Arduino, &mut seen, &id, &poll(21.5, "ok")),
        json!([]),
        "the first poll is the baseline"
    );
    assert_eq!(changes(Vendor::Arduino, &mut seen, &id, &poll(21.5, "ok")), json!([]));
    let got = changes(Vendor::Arduino, &mut seen, &id, &poll(21.7, "warm"));
    assert_eq!(
        got,
        json!([{"vendor":"arduino","deviceId":"t1","name":"temperature","value":21.7,"time":"2025-01-01T00:00:00.000Z",
                "raw":{"name":"temperature","value":21.7,"type":"FLOAT","updatedAt":"2025-01-01T00:00:00.000Z"}},
               {"vendor":"arduino","deviceId":"t1","name":"status","value":"warm","time":"now",
                "raw":{"name":"status","value":"warm","type":"CHARSTRING","updatedAt":null}}])
    );
    // Values are compared whole (objects by their JSON), and per device.
    let mut moved = poll(21.7, "warm");
    moved[2]["value"]["lat"] = json!(2);
    assert_eq!(changes(Vendor::Arduino, &mut seen, &id, &moved).as_array().unwrap().len(), 1);
    assert_eq!(changes(Vendor::Arduino, &mut seen, &json!("t2"), &moved), json!([]));
}

#[test]
fn a_streamed_event_is_made_and_kept_newest_last() {
    let mut kept = json!([]);
    let payload =
        json!({"name":"temperature","data":"21.5","ttl":60,"published_at":"2025-01-01T10:00:00.000Z","coreid":"p1"});
    let e = event(Vendor::Particle, &mut kept, &payload);
    assert_eq!(
        e,
        json!({"vendor":"particle","deviceId":"p1","name":"temperature","value":"21.5","time":"2025-01-01T10:00:00.000Z","raw":payload})
    );
    event(Vendor::Particle, &mut kept, &json!({"name":"n","data":"2","coreid":"p1"}));
    let kept = kept.as_array().unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0], e);
    assert_eq!(kept[1]["value"], json!("2"));
}

// ---------------------------------------------------------------------------------------------------------
// The request rate

#[test]
fn connect_sets_the_request_rate_a_little_under_the_vendors_given() {
    let mock = cloud(&[]);
    let p = particle(&mock);
    setup(&p, &json!({}), 33.0).unwrap();
    assert_eq!(p.spacing().get(), 1000.0 / (33.0 * 0.98));
    let a = arduino(&mock);
    setup(&a, &json!(null), 10.0).unwrap();
    assert_eq!(a.spacing().get(), 1000.0 / 9.8);
    // `rateLimit` overrides it.
    setup(&a, &json!({"rateLimit": 2}), 10.0).unwrap();
    assert_eq!(a.spacing().get(), 1000.0 / 1.96);
    // A client with its own `maxRequestsPerSecond` keeps it.
    let spaced = Arduino::new(
        ClientConfig { transport: mock.clone(), retry: RetryPolicy { spacing_ms: 1000.0, ..RetryPolicy::default() } },
        "https://a.test".into(),
        None,
        Some("tok".into()),
        None,
        false,
    );
    setup(&spaced, &json!({}), 10.0).unwrap();
    assert_eq!(spaced.spacing().get(), 1000.0);
    for bad in [json!(0), json!(-1), json!(1001), json!("10")] {
        let err = setup(&a, &json!({"rateLimit": bad}), 10.0).unwrap_err();
        assert_eq!(err.code(), "invalid_argument");
    }
}
