use super::*;
use crate::http::Body;
use serde_json::{json, Value};

const PUBLISH: Op = Op {
    route: "PUT /iot/v2/things/{id}/properties/{pid}/publish",
    params: "ps!id,ps!pid,bo!propertyValue",
    accept: "",
    flags: BODY_JSON | ORG,
};
const LIST: Op = Op {
    route: "GET /iot/v2/things",
    params: "qbacross_user_ids=acrossUserIds,qsdevice_id=deviceId,qaids,qilimit,qnscale,qdfrom,hsX-Trace=trace",
    accept: "application/vnd.arduino.thing+json; type=collection",
    flags: RET_ARRAY | ORG,
};
// The path placeholders in another order than the arguments.
const CERT: Op = Op { route: "DELETE /iot/v2/devices/{id}/certs/{cid}", params: "ps!cid,ps!id", accept: "", flags: 0 };
const UPLOAD: Op = Op {
    route: "POST /iot/v2/devices/{id}/ota",
    params: "ps!id,fF!ota_file=otaFile,fbasync,fiexpire_in_mins=expireInMins",
    accept: "application/json",
    flags: BODY_MULTIPART | RET_OBJECT | ORG,
};
const FORM: Op = Op { route: "POST /v1/x", params: "fs!name,fiage", accept: "", flags: BODY_FORM };

fn prep(op: &Op, args: &[Value]) -> Result<Call, Error> {
    prepare(op, "arduino.test.call", args, "organization")
}

fn invalid(op: &Op, args: &[Value]) -> String {
    match prep(op, args) {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("expected invalid_argument, got {other:?}"),
    }
}

#[test]
fn path_parameters_are_checked_encoded_and_placed_by_name() {
    let c = prep(&PUBLISH, &[json!("t 1"), json!("p:é"), json!({"value": 1.5})]).unwrap();
    assert_eq!(c.method, Method::Put);
    assert_eq!(c.path, "/iot/v2/things/t%201/properties/p%3A%C3%A9/publish");
    assert_eq!(c.payload, Some(Payload::Json(r#"{"value":1.5}"#.into())));
    assert_eq!(c.headers, vec![("Content-Type", "application/json".to_string())]);
    let c = prep(&CERT, &[json!("C"), json!("D")]).unwrap();
    assert_eq!((c.method, c.path.as_str()), (Method::Delete, "/iot/v2/devices/D/certs/C"));
}

#[test]
fn ids_that_would_change_the_path_are_refused_naming_call_and_parameter() {
    for bad in ["a/b", "a?b", "a#b", "..", ".", " ", "a\\b", "a\nb"] {
        let m = invalid(&PUBLISH, &[json!("t"), json!(bad), json!({"value": 1})]);
        assert!(m.starts_with("arduino.test.call: `pid`"), "{m}");
    }
}

#[test]
fn missing_and_mistyped_arguments_are_named() {
    let m = invalid(&PUBLISH, &[json!("t")]);
    assert_eq!(m, "arduino.test.call: `pid` is required");
    let m = invalid(&PUBLISH, &[json!("t"), json!("p")]);
    assert_eq!(m, "arduino.test.call: `propertyValue` is required");
    let m = invalid(&PUBLISH, &[json!("t"), json!("p"), json!([1])]);
    assert_eq!(m, "arduino.test.call: `propertyValue` must be an object");
    let m = invalid(&PUBLISH, &[json!(5), json!("p"), json!({})]);
    assert_eq!(m, "arduino.test.call: `id` must be a string");
    let m = invalid(&LIST, &[json!({"acrossUserIds": "yes"})]);
    assert_eq!(m, "arduino.test.call: `acrossUserIds` must be a boolean");
    let m = invalid(&LIST, &[json!({"ids": "a"})]);
    assert_eq!(m, "arduino.test.call: `ids` must be an array of strings");
    let m = invalid(&LIST, &[json!({"ids": ["a", 1]})]);
    assert_eq!(m, "arduino.test.call: `ids` must be a string");
    let m = invalid(&LIST, &[json!({"limit": 1.5})]);
    assert_eq!(m, "arduino.test.call: `limit` must be an integer");
    let m = invalid(&LIST, &[json!({"deviceId": " "})]);
    assert_eq!(m, "arduino.test.call: `deviceId` must be a non-empty string");
    let m = invalid(&LIST, &[json!({"ids": ["a", ""]})]);
    assert_eq!(m, "arduino.test.call: `ids` must be a non-empty string");
    let m = invalid(&LIST, &[json!({"trace": ""})]);
    assert_eq!(m, "arduino.test.call: `trace` must be a non-empty string");
    let m = invalid(&LIST, &[json!({"organization": 3})]);
    assert_eq!(m, "arduino.test.call: `organization` must be a string");
    let m = invalid(&LIST, &[json!("not options")]);
    assert_eq!(m, "arduino.test.call: `options` must be an object");
    let m = invalid(&UPLOAD, &[json!("d"), json!("not a file")]);
    assert!(m.starts_with("arduino.test.call: `otaFile` must be a Blob"), "{m}");
}

#[test]
fn query_parameters_keep_api_names_types_and_repeat_arrays() {
    let opts = json!({"acrossUserIds": false, "deviceId": "d&1", "ids": ["a", "b c"], "limit": 10,
        "scale": 0.25, "from": "2024-01-01T00:00:00Z", "trace": "t-1", "unknown": 1});
    let c = prep(&LIST, &[opts]).unwrap();
    assert_eq!(
        c.path,
        "/iot/v2/things?across_user_ids=false&device_id=d%261&ids=a&ids=b%20c&limit=10&scale=0.25&from=2024-01-01T00%3A00%3A00Z"
    );
    assert_eq!(
        c.headers,
        vec![
            ("X-Trace", "t-1".to_string()),
            ("Accept", "application/vnd.arduino.thing+json; type=collection".to_string())
        ]
    );
    assert_eq!(c.shape, Shape::Array);
    assert!(c.payload.is_none());
    // Absent and null options are left out.
    let c = prep(&LIST, &[json!({"deviceId": null})]).unwrap();
    assert_eq!(c.path, "/iot/v2/things");
    assert_eq!(prep(&LIST, &[]).unwrap().path, "/iot/v2/things");
}

#[test]
fn the_organization_of_a_call_wins_over_the_clients() {
    let c = prep(&LIST, &[json!({"organization": "org-call"})]).unwrap();
    assert_eq!(c.organization.as_deref(), Some("org-call"));
    let req = c.request("https://h", "tok", Some("org-client"), true);
    assert_eq!(req.url, "https://h/iot/v2/things");
    assert_eq!(req.header_value("x-organization"), Some("org-call"));
    assert_eq!(req.header_value("authorization"), Some("Bearer tok"));
    let req = prep(&LIST, &[]).unwrap().request("https://h", "tok", Some("org-client"), true);
    assert_eq!(req.header_value("x-organization"), Some("org-client"));
    let req = prep(&LIST, &[]).unwrap().request("https://h", "tok", Some("org-client"), false);
    assert_eq!(req.header_value("x-organization"), None);
    // The IotApi surface names it xOrganization.
    let c = prepare(&LIST, "thingsV2List", &[json!({"xOrganization": "o2"})], "xOrganization").unwrap();
    assert_eq!(c.organization.as_deref(), Some("o2"));
}

#[test]
#[allow(clippy::useless_conversion)] // a JS value in the wasm unit tests
fn multipart_and_form_fields_keep_files_and_type_the_rest() {
    let file = json!({"$file": "bytes"});
    let c = prep(&UPLOAD, &[json!("dev"), file.clone(), json!({"async": true, "expireInMins": 5})]).unwrap();
    assert_eq!(
        c.payload,
        Some(Payload::Multipart(vec![
            ("ota_file", file.to_string().into()),
            ("async", "true".into()),
            ("expire_in_mins", "5".into())
        ]))
    );
    // fetch sets the multipart Content-Type with its boundary.
    assert!(c.headers.iter().all(|(k, _)| *k != "Content-Type"));
    let c = prep(&FORM, &[json!("n"), json!({"age": 3})]).unwrap();
    assert_eq!(c.payload, Some(Payload::Form(vec![("name", "n".into()), ("age", "3".into())])));
    assert!(c.headers.contains(&("Content-Type", "application/x-www-form-urlencoded".into())));
}

#[test]
fn the_parameter_grammar_parses_every_kind_of_entry() {
    let names: Vec<_> = LIST.entries().map(|p| (p.at as char, p.kind as char, p.required, p.name, p.js)).collect();
    assert_eq!(names[0], ('q', 'b', false, "across_user_ids", "acrossUserIds"));
    assert_eq!(names[2], ('q', 'a', false, "ids", "ids"));
    assert_eq!(PUBLISH.positional(), 3);
    assert_eq!(UPLOAD.positional(), 2);
    assert_eq!(LIST.positional(), 0);
    assert_eq!((UPLOAD.method(), UPLOAD.template()), (Method::Post, "/iot/v2/devices/{id}/ota"));
}

#[test]
fn paging_stops_on_an_empty_page_or_a_cursor_that_does_not_move() {
    let page = json!({"values": [1], "last_evaluated_key": {"created_at": "2024-01-01T00:00:00Z"}});
    assert_eq!(next_start(&page, 1, None).as_deref(), Some("2024-01-01T00:00:00Z"));
    assert_eq!(next_start(&page, 1, Some("2024-01-01T00:00:00Z")), None);
    assert_eq!(next_start(&page, 0, None), None);
    assert_eq!(next_start(&json!({"values": [1]}), 1, None), None);
    assert_eq!(next_start(&json!({"last_evaluated_key": {"created_at": ""}}), 1, None), None);
    let _ = Value::null();
}

#[test]
fn text_rows_parse_into_operations() {
    const TABLE: &str = "GET /a||application/json|20\nPUT /b/{id}|ps!id|x|3\nbad line";
    let op = row(TABLE, 1).unwrap();
    assert_eq!((op.route, op.params, op.accept, op.flags), ("PUT /b/{id}", "ps!id", "x", 3));
    assert_eq!(row(TABLE, 0).unwrap().flags, RET_ARRAY | ORG);
    assert!(row(TABLE, 2).is_none(), "a line without four fields");
    assert!(row(TABLE, 3).is_none());
    assert!(row("GET /a|||2x", 0).is_none(), "flags that are not a number");
}

/// The entries of a row and what they read as (a path entry without a name takes it from the route).
fn parsed(op: &Op) -> Vec<(&'static str, Param)> {
    let entries: Vec<_> = op.params.split(',').filter(|e| !e.is_empty()).collect();
    let params: Vec<_> = Entries { now: "", then: op.params, route: op.route }.collect();
    assert_eq!(entries.len(), params.len(), "{}: {}", op.route, op.params);
    entries.into_iter().zip(params).collect()
}

#[test]
fn a_path_entry_without_a_name_is_the_routes_next_placeholder() {
    let op = Op { route: "GET /a/{x}/b/{y}/{z}", params: "ps!,qsq,ps!y,ps!,pi!", accept: "", flags: 0 };
    let names: Vec<_> = parsed(&op).into_iter().map(|(_, p)| (p.name, p.js, p.kind as char)).collect();
    assert_eq!(names, [("x", "x", 's'), ("q", "q", 's'), ("y", "y", 's'), ("y", "y", 's'), ("z", "z", 'i')]);
    let op = Op { route: "GET /a/{x}/b/{y}/{z}", params: "ps!,qsq,ps!,pi!", accept: "", flags: 0 };
    let call = prep(&op, &[json!("1"), json!("2"), json!(3)]).expect("a call");
    assert_eq!(call.path, "/a/1/b/2/3");
}

#[test]
fn every_row_of_every_table_parses() {
    assert_eq!(rows(arduino::OPS), 111);
    for op in (0..rows(arduino::OPS)).map(|i| row(arduino::OPS, i).expect("a row")) {
        assert!(op.route.starts_with(['G', 'P', 'D']), "{}", op.route);
        assert!(op.template().starts_with('/'), "{}", op.route);
        for (entry, p) in parsed(&op) {
            assert!(b"pqhbf".contains(&p.at), "{}: {entry}", op.route);
            assert!(b"sbindaoljF".contains(&p.kind), "{}: {entry}", op.route);
            if p.at == b'p' {
                assert!(op.template().contains(&format!("{{{}}}", p.name)), "{}: {entry}", op.route);
            }
        }
    }
}

// The engine's extensions for the other vendors.
const OPTS_ROW: Op = Op {
    route: "POST /v1/devices/{deviceId}/{name}",
    params: "ps!deviceId,ps!name,jsarg=argument,jonote,tsauth",
    accept: "application/json",
    flags: OPTS | BODY_JSON | RET_OBJECT,
};
const PAGED: Op = Op { route: "GET /Device", params: "qssortBy=sortBy,nipageSize", accept: "", flags: PAGE_NUMBER };

#[test]
fn an_options_row_reads_every_parameter_from_the_one_object() {
    assert_eq!(OPTS_ROW.positional(), 0);
    let c = prep(&OPTS_ROW, &[json!({"deviceId": "d 1", "name": "led", "argument": "on", "auth": "tk"})]).unwrap();
    assert_eq!((c.method, c.path.as_str()), (Method::Post, "/v1/devices/d%201/led"));
    assert_eq!(c.token.as_deref(), Some("tk"));
    assert_eq!(c.payload, Some(Payload::Object(vec![("arg", r#""on""#.into())])));
    assert_eq!(
        c.headers,
        vec![("Accept", "application/json".to_string()), ("Content-Type", "application/json".to_string())]
    );
    // Absent fields are left out of the object; an object is sent all the same.
    let c = prep(&OPTS_ROW, &[json!({"deviceId": "d", "name": "n", "note": {"a": 1}})]).unwrap();
    assert_eq!(c.payload, Some(Payload::Object(vec![("note", r#"{"a":1}"#.into())])));
    assert_eq!(c.token, None);
    let req = c.request("https://h", "dflt", None, false);
    assert_eq!(req.header_value("authorization"), Some("Bearer dflt"));
    assert_eq!(req.url, "https://h/v1/devices/d/n");
    assert_eq!(req.expect, Shape::Object);
    // Required keys of the object, types, and an empty token.
    assert_eq!(invalid(&OPTS_ROW, &[]), "arduino.test.call: `deviceId` is required");
    assert_eq!(invalid(&OPTS_ROW, &[json!({"deviceId": "d"})]), "arduino.test.call: `name` is required");
    let m = invalid(&OPTS_ROW, &[json!({"deviceId": "d", "name": "n", "argument": 5})]);
    assert_eq!(m, "arduino.test.call: `argument` must be a string");
    let m = invalid(&OPTS_ROW, &[json!({"deviceId": "d", "name": "n", "auth": ""})]);
    assert_eq!(m, "arduino.test.call: `auth` must be a non-empty string");
    assert_eq!(invalid(&OPTS_ROW, &[json!("d")]), "arduino.test.call: `options` must be an object");
    // An empty argument is an argument.
    let c = prep(&OPTS_ROW, &[json!({"deviceId": "d", "name": "n", "argument": ""})]).unwrap();
    assert_eq!(c.payload, Some(Payload::Object(vec![("arg", r#""""#.into())])));
}

#[test]
fn a_page_size_is_a_whole_number_kept_out_of_the_query() {
    let c = prep(&PAGED, &[json!({"pageSize": 50, "sortBy": "a b"})]).unwrap();
    assert_eq!((c.path.as_str(), c.page_size), ("/Device?sortBy=a%20b", Some(50)));
    assert_eq!(prep(&PAGED, &[json!({})]).unwrap().page_size, None);
    // Not a u32: 0, for the vendor to refuse with its range.
    assert_eq!(prep(&PAGED, &[json!({"pageSize": -3})]).unwrap().page_size, Some(0));
    assert_eq!(invalid(&PAGED, &[json!({"pageSize": 1.5})]), "arduino.test.call: `pageSize` must be an integer");
    assert_eq!(invalid(&PAGED, &[json!({"pageSize": "9"})]), "arduino.test.call: `pageSize` must be an integer");
    assert!(c.payload.is_none() && c.headers.is_empty());
}

#[test]
fn the_other_vendors_tables_parse() {
    let particle: Vec<Op> = (0..rows(particle::OPS)).filter_map(|i| row(particle::OPS, i)).collect();
    assert_eq!(particle.len(), rows(particle::OPS));
    let iotc: Vec<Op> = (0..rows(iotconnect::OPS)).filter_map(|i| row(iotconnect::OPS, i)).collect();
    assert_eq!(iotc.len(), rows(iotconnect::OPS));
    let all = [&particle[..], &cthings::OPS[..], &iotc[..]];
    for op in all.iter().flat_map(|t| t.iter()) {
        assert!(op.template().starts_with('/') || op.template() == "{uri}", "{}", op.route);
        for (entry, p) in parsed(op) {
            assert!(b"pqhbfjtnxvm".contains(&p.at), "{}: {entry}", op.route);
            assert!(b"sbindaolejFuc1TMrgD".contains(&p.kind) || p.kind == b'j', "{}: {entry}", op.route);
            let (min, max) = split(p.range, b'-').unwrap_or((p.range, "1"));
            assert!(p.range.is_empty() || (min.parse::<u32>().is_ok() && max.parse::<u32>().is_ok()), "{entry}");
            if p.at == b'p' {
                let (plain, optional) = (format!("{{{}}}", p.name), format!("{{/{}}}", p.name));
                assert!(op.template().contains(&plain) || op.template().contains(&optional), "{}: {entry}", op.route);
            }
        }
        // Scoped calls live under /v1.
        if op.flags & (SCOPE_PRODUCT | SCOPE_ORG) != 0 {
            assert!(op.template().starts_with("/v1"), "{}", op.route);
        }
    }
    assert!(particle.iter().all(|o| o.flags & OPTS != 0 && o.positional() == 0));
    assert_eq!(cthings::OPS[0].flags & DATA, DATA);
    assert_eq!(cthings::OPS[1].flags & DATA, 0);
    // IoTConnect: every path names its service first; an `iterate` row follows each paged `list`.
    for op in &iotc {
        let service = op.template().split('/').nth(1).unwrap();
        assert!(["device", "user", "telemetry", "firmware", "{service}{path}"].contains(&service), "{}", op.route);
        if op.flags & PAGE_NUMBER != 0 {
            assert!(op.takes("pageSize") && op.takes("pageNumber"), "{}", op.route);
        }
    }
    assert_eq!(
        iotc[iotconnect::HISTORY].template(),
        "/telemetry/Telemetry/attribute-history/device/{uniqueId}/from/{from}/to/{to}"
    );
    assert_eq!(iotc[iotconnect::REQUEST].template(), "/{service}{path}");
}

/// `prepare` leaves out a `{name}` it has no value for: every placeholder of every table must be a path
/// parameter, required (or with a default) unless written `{/name}`, so that a missing one is refused before.
#[test]
fn every_placeholder_is_a_path_parameter() {
    let text = |t: &'static str| (0..rows(t)).filter_map(move |i| row(t, i));
    let all: Vec<Op> =
        text(arduino::OPS).chain(text(particle::OPS)).chain(cthings::OPS).chain(text(iotconnect::OPS)).collect();
    assert!(all.len() > 200);
    for op in &all {
        let mut rest = op.template();
        while let Some((_, after)) = split(rest, b'{') {
            let (name, tail) = split(after, b'}').expect("a closed placeholder");
            let key = name.trim_start_matches('/');
            let p = op.entries().find(|p| p.at == b'p' && p.name == key);
            let p = p.unwrap_or_else(|| panic!("{}: {name}", op.route));
            assert_eq!(p.required || !p.default.is_empty(), key == name, "{}: {name}", op.route);
            rest = tail;
        }
    }
}

/// Particle's row for a method name of particle-api-js (the names of `PARTICLE` in pkg-templates/common.mjs,
/// one per row, in order).
fn particle_op(method: &str) -> Op {
    let js = include_str!("../../pkg-templates/common.mjs");
    let list = js.split("const PARTICLE = (").nth(1).and_then(|s| s.split(").split(' ')").next()).expect("PARTICLE");
    let names: String = list.split('\'').skip(1).step_by(2).collect();
    let names: Vec<&str> = names.split(' ').collect();
    assert_eq!(names.len(), rows(particle::OPS));
    let i = names.iter().position(|n| *n == method).unwrap_or_else(|| panic!("{method}"));
    row(particle::OPS, i).expect("a row")
}

/// The parts of the request `method` makes of `options`: method, path and query, body, headers.
fn particle(method: &str, options: Value) -> (Method, String, Option<Payload>, Vec<(&'static str, String)>) {
    let name = format!("particle.{method}");
    let c =
        prepare(&particle_op(method), &name, &[options], "organization").unwrap_or_else(|e| panic!("{name}: {e:?}"));
    (c.method, c.path, c.payload, c.headers)
}

fn particle_refused(method: &str, options: Value) -> String {
    match prepare(&particle_op(method), &format!("particle.{method}"), &[options], "organization") {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("{method}: expected invalid_argument, got {other:?}"),
    }
}

const JSON_BODY: (&str, &str) = ("Content-Type", "application/json");

fn obj(fields: &[(&'static str, &str)]) -> Option<Payload> {
    Some(Payload::Object(fields.iter().map(|(k, v)| (*k, v.to_string())).collect()))
}

fn json_headers() -> Vec<(&'static str, String)> {
    vec![(JSON_BODY.0, JSON_BODY.1.to_string())]
}

#[test]
fn particle_rows_in_the_user_scope() {
    assert_eq!(particle("listDevices", json!({})), (Method::Get, "/v1/devices".into(), None, vec![]));
    let c = prepare(&particle_op("getDevice"), "particle.getDevice", &[json!({"deviceId": "d 1", "auth": "tk"})], "");
    let c = c.unwrap();
    assert_eq!((c.method, c.path.as_str(), c.token.as_deref()), (Method::Get, "/v1/devices/d%201", Some("tk")));
    // A default (`requestTransfer`) is sent when absent.
    assert_eq!(
        particle("claimDevice", json!({"deviceId": "d1"})),
        (Method::Post, "/v1/devices".into(), obj(&[("id", r#""d1""#), ("request_transfer", "false")]), json_headers())
    );
    // A `1` boolean is sent as text.
    assert_eq!(particle("signalDevice", json!({"deviceId": "d1", "signal": false})).2, obj(&[("signal", "0")]));
    // A flag: `true` sent, `false` left out.
    assert_eq!(particle("listBuildTargets", json!({"onlyFeatured": true})).1, "/v1/build_targets?featured=true");
    assert_eq!(particle("listBuildTargets", json!({"onlyFeatured": false})).1, "/v1/build_targets");
    // An array joined with commas, or one string.
    let (_, path, ..) =
        particle("listLibraries", json!({"architectures": ["a", "b"], "excludeScopes": "x", "limit": 5}));
    assert_eq!(path, "/v1/libraries?limit=5&architectures=a%2Cb&excludeScopes=x");
    // Constants, defaults and the time in ms.
    let (method, path, body, _) = particle("sendPublicKey", json!({"deviceId": "d1", "key": "K"}));
    assert_eq!((method, path.as_str()), (Method::Post, "/v1/provisioning/d1"));
    let Some(Payload::Object(fields)) = body else { panic!("an object") };
    let keys: Vec<_> = fields.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["deviceID", "publicKey", "filename", "order", "algorithm"]);
    assert_eq!(fields[2].1, r#""particle-api""#);
    assert!(fields[3].1.starts_with("\"manual_1") && fields[4].1 == r#""rsa""#, "{fields:?}");
    // Keys of an object option.
    let hook = json!({"event": "e", "url": "https://h.test", "hook": {"method": "PUT", "headers": {"a": "b"}}});
    assert_eq!(
        particle("createWebhook", hook).2,
        obj(&[
            ("event", r#""e""#),
            ("url", r#""https://h.test""#),
            ("requestType", r#""PUT""#),
            ("headers", r#"{"a":"b"}"#)
        ])
    );
    assert_eq!(
        particle_refused("createWebhook", json!({"event": "e", "url": "u", "hook": 1})),
        "particle.createWebhook: `hook` must be an object"
    );
    // A raw path, HEAD, the events of the user (`[/devices]`).
    assert_eq!(particle("downloadFile", json!({"uri": "/v1/a b.tgz"})).1, "/v1/a b.tgz");
    assert_eq!(particle_op("downloadFile").shape(), Shape::Binary);
    assert!(particle_refused("downloadFile", json!({"uri": "//evil.test/x"})).contains("`uri` must be a path"));
    assert_eq!(particle("checkSIM", json!({"iccid": "89"})).0, Method::Head);
    assert_eq!(particle("publishEvent", json!({"name": "e", "isPrivate": true})).1, "/v1/devices/events");
    // Files by file name, as `file`, `file2`; the build target or `latest`.
    let (_, path, body, headers) =
        particle("compileCode", json!({"files": {"a.ino": {"$file": 1}, "b.h": {"$file": 2}}, "platformId": 6}));
    assert_eq!((path.as_str(), headers), ("/v1/binaries", vec![]));
    let parts = vec![
        ("", r#"file:a.ino:{"$file":1}"#.to_string()),
        ("", r#"file2:b.h:{"$file":2}"#.to_string()),
        ("platform_id", "6".to_string()),
        ("latest", "true".to_string()),
    ];
    assert_eq!(body, Some(Payload::Multipart(parts)));
    // A fixed file name.
    let body = particle("contributeLibrary", json!({"archive": {"$file": 0}})).2;
    assert_eq!(body, Some(Payload::Multipart(vec![("file", r#"file:archive.tar.gz:{"$file":0}"#.to_string())])));
    // Refused before any request: an unknown option, a scope the call has not.
    assert_eq!(
        particle_refused("getDevice", json!({"deviceId": "d", "bogus": 1})),
        "particle.getDevice: `bogus` is not an option of this call"
    );
    assert!(particle_refused("getUserInfo", json!({"product": "p"})).starts_with("particle.getUserInfo: `product`"));
    // Known options that are not parameters.
    particle("getDevice", json!({"deviceId": "d", "headers": {"x": "1"}, "context": {}, "timeoutMs": 5}));
}

#[test]
fn particle_rows_in_a_product_scope() {
    assert_eq!(particle("getDevice", json!({"deviceId": "d1", "product": 42})).1, "/v1/products/42/devices/d1");
    assert_eq!(particle("publishEvent", json!({"name": "e", "product": "w-1"})).1, "/v1/products/w-1/events");
    let (_, path, ..) =
        particle("listDevices", json!({"product": "p", "groups": ["a", "b"], "perPage": 5, "deviceName": "n"}));
    assert_eq!(path, "/v1/products/p/devices?deviceName=n&groups=a%2Cb&per_page=5");
    assert_eq!(
        particle("removeDevice", json!({"deviceId": "d1", "product": "p", "deny": true})),
        (Method::Delete, "/v1/products/p/devices/d1".into(), obj(&[("deny", "true")]), json_headers())
    );
    // Without `product`, its options are refused; without them, no body is sent.
    let m = particle_refused("listDevices", json!({"deviceName": "n"}));
    assert_eq!(m, "particle.listDevices: `deviceName` is only taken with `product`");
    assert_eq!(
        particle("removeDevice", json!({"deviceId": "d1"})),
        (Method::Delete, "/v1/devices/d1".into(), None, vec![])
    );
    assert_eq!(
        particle("markAsDevelopmentDevice", json!({"deviceId": "d1", "product": "p"})).2,
        obj(&[("development", "true")])
    );
    assert_eq!(
        particle("unlockDeviceProductFirmware", json!({"deviceId": "d1", "product": "p"})).2,
        obj(&[("desired_firmware_version", "null")])
    );
    let (method, path, body, headers) = particle("getProductConfigurationSchema", json!({"product": "p"}));
    assert_eq!((method, path.as_str(), body), (Method::Get, "/v1/products/p/config", None));
    assert_eq!(headers, vec![("Accept", "application/schema+json".to_string())]);
    let (method, path, body, headers) =
        particle("setProductConfiguration", json!({"product": "p", "config": {"a": 1}}));
    assert_eq!(
        (method, path.as_str(), body),
        (Method::Put, "/v1/products/p/config", Some(Payload::Json(r#"{"a":1}"#.into())))
    );
    assert_eq!(headers, json_headers());
    // A product id must be a string or an integer, and a path segment.
    assert!(
        particle_refused("getProduct", json!({"product": 1.5})).ends_with("`product` must be a string or an integer")
    );
    assert!(particle_refused("getDevice", json!({"deviceId": "d", "product": "a/b"}))
        .starts_with("particle.getDevice: `product`"));
    assert_eq!(particle_refused("getProduct", json!({})), "particle.getProduct: `product` is required");
}

#[test]
fn particle_rows_in_an_organization_scope() {
    let (method, path, ..) = particle("listLogicFunctions", json!({"org": "acme", "todayStats": true}));
    assert_eq!((method, path.as_str()), (Method::Get, "/v1/orgs/acme/logic/functions?today_stats=true"));
    assert_eq!(particle("getLedger", json!({"ledgerName": "l 1"})).1, "/v1/ledgers/l%201");
    assert_eq!(particle("getLedger", json!({"ledgerName": "l", "org": "o"})).1, "/v1/orgs/o/ledgers/l");
    // `settings` merged into the body (`*`), in any of the three scopes.
    let body = obj(&[("event", r#""e""#), ("*", r#"{"url":"u"}"#)]);
    for (scope, path) in [
        (json!({}), "/v1/integrations"),
        (json!({"org": "acme"}), "/v1/orgs/acme/integrations"),
        (json!({"product": 7}), "/v1/products/7/integrations"),
    ] {
        let mut o = json!({"event": "e", "settings": {"url": "u"}});
        o.as_object_mut().unwrap().extend(scope.as_object().unwrap().clone());
        assert_eq!(particle("createIntegration", o), (Method::Post, path.into(), body.clone(), json_headers()));
    }
    let m = particle_refused("listIntegrations", json!({"product": "p", "org": "o"}));
    assert_eq!(m, "particle.listIntegrations: `org` cannot be given with `product`");
    assert!(particle_refused("listLedgers", json!({"product": "p"})).starts_with("particle.listLedgers: `product`"));
    // Exactly one scope of environment variables: product, org, device or sandbox.
    for (scope, path) in [
        (json!({"product": "p"}), "/v1/products/p/env/A"),
        (json!({"org": "o"}), "/v1/orgs/o/env/A"),
        (json!({"deviceId": "d1"}), "/v1/env/d1/A"),
        (json!({"sandbox": true}), "/v1/env/A"),
    ] {
        let mut o = json!({"key": "A", "value": "1"});
        o.as_object_mut().unwrap().extend(scope.as_object().unwrap().clone());
        assert_eq!(particle("setEnvVar", o), (Method::Put, path.into(), obj(&[("value", r#""1""#)]), json_headers()));
    }
    for o in [
        json!({"key": "A"}),
        json!({"key": "A", "sandbox": false}),
        json!({"key": "A", "product": "p", "deviceId": "d"}),
    ] {
        assert!(particle_refused("deleteEnvVar", o).starts_with("particle.deleteEnvVar: `scope` exactly one of"));
    }
}

#[test]
fn an_e_parameter_is_a_string_that_says_something() {
    let op = Op { route: "POST /v1/x", params: "fe!name,je!note,fsother", accept: "", flags: BODY_FORM | OPTS };
    for (opts, key) in [(json!({"name": " ", "note": "n"}), "name"), (json!({"name": "a", "note": ""}), "note")] {
        let m = invalid(&op, &[opts]);
        assert_eq!(m, ["arduino.test.call: `", key, "` must be a non-empty string"].concat());
    }
    assert_eq!(invalid(&op, &[json!({"name": 1, "note": "n"})]), "arduino.test.call: `name` must be a string");
    // A plain string may be empty.
    assert!(prep(&op, &[json!({"name": "a", "note": "n", "other": ""})]).is_ok());
}

#[test]
fn uuids_and_query_objects() {
    const OP: Op = Op { route: "GET /x/{id}", params: "pg!id,qsfirst,qoquery", accept: "", flags: 0 };
    let id = "D5D60237-be30-4ca6-bc8b-e9d5a947404c";
    let c =
        prep(&OP, &[json!(id), json!({"first": "1", "query": {"a": [1.5, "x y", false, null], "b": null}})]).unwrap();
    assert_eq!(c.path, ["/x/", id, "?first=1&a=1.5&a=x%20y&a=false"].concat());
    let c = prep(&OP, &[json!(id), json!({"query": {}})]).unwrap();
    assert_eq!(c.path, ["/x/", id].concat());
    for bad in [
        "",
        "x",
        "d5d60237-be30-4ca6-bc8b-e9d5a947404",
        "d5d60237-be30-4ca6-bc8b-e9d5a947404cc",
        "d5d60237+be30-4ca6-bc8b-e9d5a947404c",
        "d5d60237-be30-4ca6-bc8b-e9d5a947404g",
    ] {
        assert_eq!(invalid(&OP, &[json!(bad)]), "arduino.test.call: `id` must be a UUID (8-4-4-4-12 hex digits)");
    }
    assert_eq!(invalid(&OP, &[json!(id), json!({"query": 1})]), "arduino.test.call: `query` must be an object");
    assert_eq!(
        invalid(&OP, &[json!(id), json!({"query": {"k": {}}})]),
        "arduino.test.call: `k` must be a string, number or boolean"
    );
}

#[test]
fn a_method_parameter_replaces_the_routes() {
    const OP: Op = Op { route: "GET /x", params: "msmethod,bjbody", accept: "", flags: BODY_JSON };
    assert_eq!(prep(&OP, &[json!({})]).unwrap().method, Method::Get);
    for (name, m) in [("GET", Method::Get), ("POST", Method::Post), ("PUT", Method::Put), ("PATCH", Method::Patch)] {
        assert_eq!(prep(&OP, &[json!({"method": name})]).unwrap().method, m);
    }
    let c = prep(&OP, &[json!({"method": "DELETE", "body": [1]})]).unwrap();
    assert_eq!((c.method, c.payload), (Method::Delete, Some(Payload::Json("[1]".into()))));
    for bad in ["HEAD", "get", "POSTS", "PU", "", "OPTIONS"] {
        let m = invalid(&OP, &[json!({ "method": bad })]);
        assert_eq!(m, "arduino.test.call: `method` must be GET, POST, PUT, PATCH or DELETE", "{bad}");
    }
    assert_eq!(invalid(&OP, &[json!({"body": {}})]), "arduino.test.call: `body` cannot be sent with GET");
}

#[test]
fn raw_paths() {
    for ok in ["/", "/device/x", "/a/.../b", "/a/.x/x.", "/v1/a b.tgz", "/%2fx", "/é", "/a//b"] {
        assert!(raw_path(ok.as_bytes()), "{ok}");
    }
    for no in [
        "",
        "a",
        "//x",
        "/..",
        "/.",
        "/./a",
        "/a/../b",
        "/a/%2E%2e",
        "/a/%2e./b",
        "/a\\b",
        "/a?b",
        "/a#b",
        "/a\tb",
        "/a\u{0}",
        "/a\u{7f}",
    ] {
        assert!(!raw_path(no.as_bytes()), "{no}");
    }
}

// IoTConnect's parameters: required keys of the options object, integer bounds, dates and raw paths.
const HISTORY: Op = Op {
    route: "GET /t/{uniqueId}/from/{from}/to/{to}",
    params: "ps!uniqueId,pD+from,pD+to,qipage=pageNumber#1,pi!n#10-50",
    accept: "",
    flags: 0,
};

#[test]
fn a_plus_parameter_is_required_and_a_key_of_the_options() {
    assert_eq!(HISTORY.positional(), 2);
    let c = prep(&HISTORY, &[json!("u 1"), json!(10), json!({"from": "2025-01-15T12:00:00Z", "to": "2025-01-16"})])
        .unwrap();
    assert_eq!(c.path, "/t/u%201/from/2025-01-15%2012%3A00%3A00/to/2025-01-16%2000%3A00%3A00");
    assert_eq!(invalid(&HISTORY, &[json!("u"), json!(10)]), "arduino.test.call: `from` is required");
    assert_eq!(
        invalid(&HISTORY, &[json!("u"), json!(10), json!({"from": "2025-01-15"})]),
        "arduino.test.call: `to` is required"
    );
}

#[test]
fn a_d_parameter_is_sent_as_utc_in_the_apis_format() {
    let args = |from: Value| [json!("u"), json!(10), json!({"from": from, "to": "2025-01-15T23:00:00-02:00"})];
    let c = prep(&HISTORY, &args(json!("2025-01-15T10:00:00.5+01:30"))).unwrap();
    assert_eq!(c.path, "/t/u/from/2025-01-15%2008%3A30%3A00/to/2025-01-16%2001%3A00%3A00");
    for bad in [json!("yesterday"), json!("2025-02-30"), json!(1_736_942_400), json!(true), json!("")] {
        let m = invalid(&HISTORY, &args(bad.clone()));
        assert!(m.starts_with("arduino.test.call: `from` must be a Date or an ISO 8601"), "{bad}: {m}");
    }
}

#[test]
fn integer_bounds_are_checked_before_anything_is_sent() {
    let args =
        |n: Value, page: Value| [json!("u"), n, json!({"from": "2025-01-15", "to": "2025-01-15", "pageNumber": page})];
    let c = prep(&HISTORY, &args(json!(50), json!(1))).unwrap();
    assert!(c.path.ends_with("?page=1"), "{}", c.path);
    assert!(prep(&HISTORY, &args(json!(10), json!(7))).is_ok());
    for n in [json!(9), json!(51), json!(0), json!(-10), json!(10.5), json!("10"), json!(4_294_967_306u64)] {
        assert_eq!(invalid(&HISTORY, &args(n, json!(1))), "arduino.test.call: `n` must be an integer from 10 to 50");
    }
    for page in [json!(0), json!(-1), json!(1.5), json!("2")] {
        let m = invalid(&HISTORY, &args(json!(10), page));
        assert_eq!(m, "arduino.test.call: `pageNumber` must be an integer from 1");
    }
}

#[test]
fn a_raw_path_cannot_climb_or_hide_characters() {
    const RAW: Op = Op { route: "GET /{service}{path}", params: "ps+service,pr+path", accept: "", flags: 0 };
    let ok = |path: &str| prep(&RAW, &[json!({"service": "device", "path": path})]).map(|c| c.path);
    assert_eq!(ok("/Device/x/status").unwrap(), "/device/Device/x/status");
    assert_eq!(ok("/a.b/...c/x").unwrap(), "/device/a.b/...c/x");
    for bad in [
        "Device",
        "//evil.test/x",
        "/a/../b",
        "/a/./b",
        "/..",
        "/a/%2e%2e/b",
        "/a/%2E./b",
        "/a/.%2e",
        "/%2e",
        "/a#b",
        "/a?b",
        "/a\\b",
        "/a\nb",
        "/a\tb",
        "/a\u{7f}",
        "",
    ] {
        let m = invalid(&RAW, &[json!({"service": "device", "path": bad})]);
        assert!(m.starts_with("arduino.test.call: `path` must be"), "{bad:?}: {m}");
    }
    assert_eq!(invalid(&RAW, &[json!({"path": "/x"})]), "arduino.test.call: `service` is required");
    let m = invalid(&RAW, &[json!({"service": "a/b", "path": "/x"})]);
    assert!(m.starts_with("arduino.test.call: `service` must not contain"), "{m}");
}

#[test]
fn iso_times_become_iotconnects_utc_text() {
    assert_eq!(sql_utc("2024-05-06T07:08:09.123Z".into()).as_deref(), Some("2024-05-06 07:08:09"));
    assert_eq!(sql_utc("0000-01-01T00:00:00.000Z".into()).as_deref(), Some("0000-01-01 00:00:00"));
    for other in
        ["2024-05-06T07:08:09Z", "+012024-05-06T07:08:09.123Z", "2024-05-06 07:08:09.123Z", "2024-05-06T07:08:0é123Z"]
    {
        assert_eq!(sql_utc(other.into()), None, "{other}");
    }
}

#[test]
fn text_is_cut_at_an_ascii_byte_only() {
    assert_eq!(split("a|b|c", b'|'), Some(("a", "b|c")));
    assert_eq!(split("|", b'|'), Some(("", "")));
    assert_eq!(split("ab", b'|'), None);
    assert_eq!(split("é|x", b'|'), Some(("é", "x")));
    assert_eq!(split("é", 0xc3), None, "not a character of its own");
    assert_eq!(cut("a", b'|'), ("a", ""));
}
