use super::*;
use crate::http::mock::{reply, Mock};
use crate::http::retry::RetryPolicy;
use crate::http::Payload;
use crate::ops::rows;
use crate::vendors::run;
use alloc::rc::Rc;
use futures_executor::block_on;
use serde_json::{json, Value};

const DISCOVERY: &str = r#"{"data":{"authBaseUrl":"https://auth.test/api/v2.1/","deviceBaseUrl":"https://device.test/api/v2.1","userBaseUrl":"https://user.test/api/v2.1","telemetryBaseUrl":"https://telemetry.test/api/v2.1","firmwareBaseUrl":"https://firmware.test/api/v2.1","masterBaseUrl":"https://master.test/api/v2.1"},"message":"Success"}"#;

/// The JavaScript methods of the rows of `OPS`, in order (`IOTCONNECT` in pkg-templates/common.mjs).
const NAMES: [&str; 34] = [
    "devices.list",
    "devices.iterate",
    "devices.get",
    "devices.getByUniqueId",
    "devices.create",
    "devices.update",
    "devices.setActive",
    "devices.delete",
    "templates.list",
    "templates.iterate",
    "templates.get",
    "templates.getByCode",
    "templates.delete",
    "templates.attributes",
    "templates.commands",
    "commands.send",
    "entities.list",
    "entities.get",
    "users.list",
    "users.iterate",
    "users.get",
    "telemetry.latest",
    "telemetry.recent",
    "telemetry.history",
    "firmware.list",
    "firmware.get",
    "firmware.create",
    "firmwareUpgrades.list",
    "firmwareUpgrades.get",
    "firmwareUpgrades.create",
    "firmwareUpgrades.delete",
    "firmwareUpgrades.publish",
    "ota.update",
    ".request",
];

fn op(name: &str) -> usize {
    NAMES.iter().position(|n| *n == name).unwrap_or_else(|| panic!("{name}"))
}

fn solution() -> Solution {
    Solution {
        discovery_url: "https://discovery.test".into(),
        solution_key: "sk 1".into(),
        environment: "poc".into(),
        platform: "aws".into(),
    }
}

fn client_with(mock: &Rc<Mock>, urls: Option<Vec<String>>, token: Option<&str>) -> IoTConnect<Rc<Mock>> {
    let user = if token.is_some() { None } else { Some(("user@example.com".into(), "pa\"ss".into())) };
    IoTConnect::new(
        ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
        solution(),
        urls,
        user,
        token.map(String::from),
    )
}

fn client(mock: &Rc<Mock>) -> IoTConnect<Rc<Mock>> {
    client_with(mock, None, None)
}

fn call(c: &IoTConnect<Rc<Mock>>, name: &str, args: &[Value]) -> Result<Value, Error> {
    Ok(run(c, op(name), &cat(&["iotc.", name.trim_start_matches('.')]), args)?.body)
}

/// The JSON text of a body made at the edge from an object of fields (natively, each its JSON text).
fn json_body(req: &Request) -> Option<String> {
    let Some(Payload::Object(fields)) = &req.payload else { return None };
    let fields: Vec<String> =
        fields.iter().map(|(k, v)| format!("{}:{v}", crate::http::encode::json_string(k))).collect();
    Some(format!("{{{}}}", fields.join(",")))
}

/// A fake solution: discovery, the auth service (tokens live 3600 s) and `api` for everything else.
fn cloud(
    mut api: impl FnMut(&Request) -> Result<Response<Value>, Error> + 'static,
) -> impl FnMut(&Request, f64) -> Result<Response<Value>, Error> {
    move |req, _| {
        let url = req.url.as_str();
        if url.starts_with("https://discovery.test") {
            reply(200, DISCOVERY)
        } else if url.ends_with("/Auth/basic-token") {
            reply(200, r#"{"data":"b4s1c","status":200,"message":"Basic token has been generated successfully"}"#)
        } else if url.ends_with("/Auth/login") {
            reply(
                200,
                r#"{"token_type":"bearer","access_token":"at1","expires_in":3600,"refresh_token":"rt1","status":200}"#,
            )
        } else if url.ends_with("/Auth/refresh-token") {
            if json_body(req).as_deref() == Some(r#"{"refreshtoken":"rt1"}"#) {
                reply(200, r#"{"access_token":"at2","expires_in":3600,"refresh_token":"rt2"}"#)
            } else {
                reply(409, r#"{"status":409,"message":"Refresh token is invalid","error":[]}"#)
            }
        } else {
            api(req)
        }
    }
}

fn ok(_: &Request) -> Result<Response<Value>, Error> {
    reply(200, r#"{"data":[{"guid":"g1"}],"status":200,"message":"ok","count":1}"#)
}

/// The one API request a call sent (after discovery and login).
fn sent(mock: &Mock) -> Request {
    let reqs = mock.requests.borrow();
    let api: Vec<&Request> =
        reqs.iter().filter(|r| !r.url.contains("discovery.test") && !r.url.contains("/Auth/")).collect();
    assert_eq!(api.len(), 1, "{:?}", reqs.iter().map(|r| r.url.as_str()).collect::<Vec<_>>());
    api[0].clone()
}

#[test]
fn the_javascript_methods_name_the_rows_in_order() {
    let js = include_str!("../../../pkg-templates/common.mjs");
    let table = js.split("const IOTCONNECT = '").nth(1).unwrap().split("';").next().unwrap();
    let table: String = table.split('\'').filter(|p| !p.trim_start().starts_with('+')).collect();
    let mut names = Vec::new();
    for part in table.split_whitespace() {
        let (group, actions) = part.split_once(':').unwrap();
        names.extend(actions.split(',').map(|a| format!("{group}.{a}")));
    }
    assert_eq!(names, NAMES);
    assert_eq!(rows(OPS), NAMES.len());
    assert_eq!((NAMES[HISTORY], NAMES[REQUEST]), ("telemetry.history", ".request"));
}

#[test]
fn discovery_basic_token_and_login_are_sent_as_documented() {
    let mock = Mock::new(cloud(ok));
    let c = client(&mock);
    call(&c, "devices.list", &[json!({})]).unwrap();
    let reqs = mock.requests.borrow();
    assert_eq!(reqs[0].url, "https://discovery.test/api/uisdk/solutionkey/sk%201/env/poc?version=2.1&pf=aws");
    assert_eq!(reqs[0].header_value("authorization"), None);
    assert_eq!(reqs[1].url, "https://auth.test/api/v2.1/Auth/basic-token");
    assert_eq!(reqs[2].url, "https://auth.test/api/v2.1/Auth/login");
    assert_eq!(reqs[2].header_value("authorization"), Some("Basic b4s1c"));
    assert_eq!(reqs[2].header_value("solution-key"), Some("sk 1"));
    assert_eq!(reqs[2].header_value("content-type"), Some("application/json"));
    assert_eq!(json_body(&reqs[2]).as_deref(), Some(r#"{"username":"user@example.com","password":"pa\"ss"}"#));
    assert!(!reqs[1].follow && !reqs[2].follow, "requests with credentials are never redirected");
    assert_eq!(reqs[3].url, "https://device.test/api/v2.1/Device");
    assert_eq!(reqs[3].header_value("authorization"), Some("Bearer at1"));
    assert_eq!(reqs[3].header_value("accept"), Some("application/json"));
    assert_eq!(reqs.len(), 4);
}

#[test]
fn azure_asks_discovery_for_version_2() {
    let mock = Mock::new(cloud(ok));
    let c = IoTConnect::new(
        ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
        Solution { platform: "az".into(), ..solution() },
        None,
        None,
        Some("tk".into()),
    );
    block_on(c.endpoints()).unwrap();
    assert_eq!(
        mock.requests.borrow()[0].url,
        "https://discovery.test/api/uisdk/solutionkey/sk%201/env/poc?version=2&pf=az"
    );
}

/// Every row's request: service, method, path, query, body and headers, as the fact sheet gives them.
#[test]
fn every_operation_sends_the_documented_request() {
    let body = |v: Value| Some(Payload::Json(v.to_string()));
    let fields =
        |f: &[(&'static str, Value)]| Some(Payload::Object(f.iter().map(|(k, v)| (*k, v.to_string())).collect()));
    // (call, arguments, method, URL (empty: refused before sending), body)
    type Case = (&'static str, Vec<Value>, &'static str, &'static str, Option<Payload>);
    let cases: Vec<Case> = vec![
        ("devices.list", vec![json!({})], "GET", "https://device.test/api/v2.1/Device", None),
        (
            "devices.list",
            vec![json!({"uniqueId": "d 1", "templateGuid": "t", "entityGuid": "e", "status": "active", "searchText": "x&y",
                "sortBy": "uniqueId desc", "pageNumber": 2, "pageSize": 1000})],
            "GET",
            "https://device.test/api/v2.1/Device?UniqueId=d%201&TemplateGuid=t&EntityGuid=e&Status=active&searchText=x%26y&sortBy=uniqueId%20desc&pageNumber=2&pageSize=1000",
            None,
        ),
        ("devices.iterate", vec![json!({"status": "inactive"})], "GET", "https://device.test/api/v2.1/Device?Status=inactive&pageNumber=1&pageSize=100", None),
        ("devices.get", vec![json!("g/1")], "GET", "", None),
        ("devices.get", vec![json!("g 1")], "GET", "https://device.test/api/v2.1/Device/g%201", None),
        ("devices.getByUniqueId", vec![json!("sim-dev-001")], "GET", "https://device.test/api/v2.1/Device/uniqueId/sim-dev-001", None),
        (
            "devices.create",
            vec![json!({"deviceTemplateGuid": "t", "uniqueId": "u", "displayName": "D", "entityGuid": "e"})],
            "POST",
            "https://device.test/api/v2.1/Device",
            body(json!({"deviceTemplateGuid": "t", "uniqueId": "u", "displayName": "D", "entityGuid": "e"})),
        ),
        ("devices.update", vec![json!("g"), json!({"displayName": "D2"})], "PUT", "https://device.test/api/v2.1/Device/g", body(json!({"displayName": "D2"}))),
        ("devices.setActive", vec![json!("g"), json!(false)], "PUT", "https://device.test/api/v2.1/Device/g/status", fields(&[("isActive", json!(false))])),
        ("devices.delete", vec![json!("g")], "DELETE", "https://device.test/api/v2.1/Device/g", None),
        ("templates.list", vec![json!({"searchText": "Env", "pageSize": 5})], "GET", "https://device.test/api/v2.1/device-template?searchText=Env&pageSize=5", None),
        ("templates.iterate", vec![json!({"pageSize": 5})], "GET", "https://device.test/api/v2.1/device-template?pageNumber=1&pageSize=5", None),
        ("templates.get", vec![json!("t")], "GET", "https://device.test/api/v2.1/device-template/t", None),
        ("templates.getByCode", vec![json!("ENV01")], "GET", "https://device.test/api/v2.1/device-template/template-code/ENV01", None),
        ("templates.delete", vec![json!("t")], "DELETE", "https://device.test/api/v2.1/device-template/t", None),
        ("templates.attributes", vec![json!("t")], "GET", "https://device.test/api/v2.1/template-attribute/t", None),
        ("templates.commands", vec![json!("t")], "GET", "https://device.test/api/v2.1/template-command/t", None),
        (
            "commands.send",
            vec![json!("d"), json!({"commandGuid": "c", "parameterValue": "on"})],
            "POST",
            "https://device.test/api/v2.1/template-command/device/d/send",
            body(json!({"commandGuid": "c", "parameterValue": "on"})),
        ),
        ("entities.list", vec![], "GET", "https://user.test/api/v2.1/Entity", None),
        ("entities.get", vec![json!("e")], "GET", "https://user.test/api/v2.1/Entity/e", None),
        ("users.list", vec![json!({"sortBy": "email asc"})], "GET", "https://user.test/api/v2.1/User?sortBy=email%20asc", None),
        ("users.iterate", vec![json!({"pageNumber": 3, "pageSize": 2})], "GET", "https://user.test/api/v2.1/User?pageNumber=3&pageSize=2", None),
        ("users.get", vec![json!("u")], "GET", "https://user.test/api/v2.1/User/u", None),
        ("telemetry.latest", vec![json!("d")], "GET", "https://telemetry.test/api/v2.1/Telemetry/device/d", None),
        ("telemetry.recent", vec![json!("u"), json!(10)], "POST", "https://telemetry.test/api/v2.1/Telemetry/device/u/recent/10", fields(&[])),
        (
            "telemetry.recent",
            vec![json!("u"), json!(50), json!({"childUniqueId": "c", "filterAttrs": ["temp"]})],
            "POST",
            "https://telemetry.test/api/v2.1/Telemetry/device/u/recent/50",
            fields(&[("childUniqueId", json!("c")), ("filterAttrs", json!(["temp"]))]),
        ),
        (
            "telemetry.history",
            vec![json!("u"), json!({"from": "2025-01-15T10:00:00+02:00", "to": "2025-01-16T08:00:00.000Z"})],
            "GET",
            "https://telemetry.test/api/v2.1/Telemetry/attribute-history/device/u/from/2025-01-15%2008%3A00%3A00/to/2025-01-16%2008%3A00%3A00",
            None,
        ),
        ("firmware.list", vec![], "GET", "https://firmware.test/api/v2.1/Firmware", None),
        ("firmware.get", vec![json!("f")], "GET", "https://firmware.test/api/v2.1/Firmware/f", None),
        ("firmware.create", vec![json!({"name": "F"})], "POST", "https://firmware.test/api/v2.1/Firmware", body(json!({"name": "F"}))),
        ("firmwareUpgrades.list", vec![json!({"type": "draft"})], "GET", "https://firmware.test/api/v2.1/firmware-upgrade?type=draft", None),
        ("firmwareUpgrades.get", vec![json!("g")], "GET", "https://firmware.test/api/v2.1/firmware-upgrade/g", None),
        ("firmwareUpgrades.create", vec![json!({"firmwareGuid": "f"})], "POST", "https://firmware.test/api/v2.1/firmware-upgrade", body(json!({"firmwareGuid": "f"}))),
        ("firmwareUpgrades.delete", vec![json!("g")], "DELETE", "https://firmware.test/api/v2.1/firmware-upgrade/g", None),
        ("firmwareUpgrades.publish", vec![json!("g")], "PUT", "https://firmware.test/api/v2.1/firmware-upgrade/g/publish", None),
        (
            "ota.update",
            vec![json!({"firmwareUpgradeGuid": "g", "isForceUpdate": true, "target": "device", "deviceGuids": ["d"]})],
            "POST",
            "https://firmware.test/api/v2.1/ota-update",
            body(json!({"firmwareUpgradeGuid": "g", "isForceUpdate": true, "target": "device", "deviceGuids": ["d"]})),
        ),
        (
            ".request",
            vec![json!({"service": "master", "path": "/Company", "query": {"a b": "c&d", "n": 5, "on": true, "skip": null}})],
            "GET",
            "https://master.test/api/v2.1/Company?a%20b=c%26d&n=5&on=true",
            None,
        ),
        (
            ".request",
            vec![json!({"service": "device", "method": "PUT", "path": "/Device/g", "query": {"x": 1, "y": "2", "z": [true, null]}, "body": [1]})],
            "PUT",
            "https://device.test/api/v2.1/Device/g?x=1&y=2&z=true",
            body(json!([1])),
        ),
        (".request", vec![json!({"service": "user", "method": "DELETE", "path": "/"})], "DELETE", "https://user.test/api/v2.1/", None),
    ];
    for (name, args, method, url, payload) in cases {
        let mock = Mock::new(cloud(ok));
        let c = client(&mock);
        let result = call(&c, name, &args);
        if url.is_empty() {
            assert!(matches!(result, Err(Error::InvalidArgument(_))), "{name} {args:?}: {result:?}");
            assert!(mock.requests.borrow().is_empty());
            continue;
        }
        result.unwrap_or_else(|e| panic!("{name} {args:?}: {e}"));
        let req = sent(&mock);
        assert_eq!((req.method.as_str(), req.url.as_str()), (method, url), "{name}");
        assert_eq!(req.payload, payload, "{name}");
        assert_eq!(req.header_value("authorization"), Some("Bearer at1"), "{name}");
        assert_eq!(req.header_value("accept"), Some("application/json"), "{name}");
        let json = req.header_value("content-type") == Some("application/json");
        assert_eq!(json, payload.is_some(), "{name}");
    }
}

#[test]
fn answers_resolve_as_the_page_the_data_or_the_one_item() {
    let mock = Mock::new(cloud(|req| match req.url.rsplit('/').next().unwrap() {
        "Device" if req.method == Method::Get => {
            reply(200, r#"{"data":[{"guid":"a"},{"guid":"b"}],"status":200,"message":"Device list","count":-1}"#)
        }
        "g" => reply(200, r#"{"data":[{"guid":"g"}],"status":200}"#),
        "e" => reply(200, r#"{"data":{"guid":"e"},"status":200}"#),
        "none" => reply(200, r#"{"data":[],"status":200}"#),
        "Entity" | "x" => reply(204, ""),
        _ => reply(200, r#"{"data":{"newId":"n"},"status":200,"message":"Device created"}"#),
    }));
    let c = client(&mock);
    let page = call(&c, "devices.list", &[json!({})]).unwrap();
    assert_eq!(page, json!({"data":[{"guid":"a"},{"guid":"b"}],"status":200,"message":"Device list","count":-1}));
    assert_eq!(call(&c, "devices.get", &[json!("g")]).unwrap(), json!({"guid": "g"}));
    assert_eq!(call(&c, "entities.get", &[json!("e")]).unwrap(), json!({"guid": "e"}));
    assert_eq!(call(&c, "users.get", &[json!("none")]).unwrap(), Value::Null);
    assert_eq!(call(&c, "devices.create", &[json!({})]).unwrap(), json!({"newId": "n"}));
    // An empty page (204) is a page without items; an empty answer to any other call is nothing.
    assert_eq!(call(&c, "entities.list", &[]).unwrap(), json!({"data": []}));
    assert_eq!(call(&c, "devices.delete", &[json!("x")]).unwrap(), Value::Null);
    let all = call(&c, ".request", &[json!({"service": "device", "path": "/Device"})]).unwrap();
    assert_eq!(all["count"], -1);
}

#[test]
fn errors_keep_the_envelope() {
    let mock = Mock::new(cloud(|req| {
        if req.url.ends_with("/missing") {
            reply(409, r#"{"data":null,"status":409,"message":"Device not found","error":[]}"#)
        } else if req.url.contains("sortBy") {
            let e = r#"{"status":412,"message":"Sorting by 'x' is not supported","error":[{"param":"sortBy","message":"unsupported"}]}"#;
            reply(412, e)
        } else {
            // An error stated by the envelope under HTTP 200.
            reply(
                200,
                r#"{"data":null,"status":400,"message":"Unique Id already exists","error":[{"param":"uniqueId","message":"taken"}]}"#,
            )
        }
    }));
    let c = client(&mock);
    let e = call(&c, "devices.get", &[json!("missing")]).unwrap_err();
    assert_eq!((e.status(), e.to_string().as_str()), (Some(409), "Device not found"));
    let e = call(&c, "devices.list", &[json!({"sortBy": "x"})]).unwrap_err();
    assert_eq!((e.status(), e.to_string().as_str()), (Some(412), "Sorting by 'x' is not supported"));
    let Error::Http(h) = &e else { panic!("{e:?}") };
    assert!(matches!(&h.body, crate::error::ErrorBody::Json(b) if b.contains(r#""param":"sortBy""#)), "{:?}", h.body);
    let e = call(&c, "devices.create", &[json!({})]).unwrap_err();
    assert_eq!((e.status(), e.to_string().as_str()), (Some(400), "Unique Id already exists"));
}

/// `devices.iterate` as the JavaScript iterator runs it: each page's cursor goes back as `start`.
fn iterate(c: &IoTConnect<Rc<Mock>>, opts: Value) -> Result<(Vec<Value>, usize), Error> {
    let (mut items, mut pages, mut opts) = (Vec::new(), 0, opts);
    loop {
        let page = call(c, "devices.iterate", &[opts.clone()])?;
        pages += 1;
        items.extend(page[0].as_array().unwrap().iter().cloned());
        match page.as_array().unwrap().get(1) {
            Some(next) => opts["start"] = next.clone(),
            None => return Ok((items, pages)),
        }
    }
}

fn pages_of(devices: usize) -> impl FnMut(&Request) -> Result<Response<Value>, Error> {
    move |req| {
        let q = req.url.split_once('?').map_or("", |(_, q)| q);
        let num = |k: &str| -> usize {
            q.split('&').find_map(|p| p.strip_prefix(&format!("{k}="))).unwrap().parse().unwrap()
        };
        let (page, size) = (num("pageNumber"), num("pageSize"));
        let items: Vec<String> =
            ((page - 1) * size..(page * size).min(devices)).map(|i| format!(r#"{{"uniqueId":"d{i}"}}"#)).collect();
        if items.is_empty() {
            reply(204, "")
        } else {
            reply(200, &format!(r#"{{"data":[{}],"status":200,"count":-1}}"#, items.join(",")))
        }
    }
}

#[test]
fn iterate_reads_page_after_page_until_a_short_or_empty_one() {
    for (devices, size, requests) in [(250, 100, 3), (200, 100, 3), (0, 100, 1), (5, 1, 6), (3, 1000, 1)] {
        let mock = Mock::new(cloud(pages_of(devices)));
        let (items, pages) = iterate(&client(&mock), json!({"pageSize": size})).unwrap();
        assert_eq!(items.len(), devices);
        assert_eq!(pages, requests, "{devices} by {size}");
        assert_eq!(mock.count("/Device?"), requests);
        if devices > 0 {
            assert_eq!(
                (items[0]["uniqueId"].as_str(), items[devices - 1]["uniqueId"].as_str()),
                (Some("d0"), Some(&*format!("d{}", devices - 1)))
            );
        }
    }
    // From a page on.
    let mock = Mock::new(cloud(pages_of(250)));
    let (items, pages) = iterate(&client(&mock), json!({"pageNumber": 2})).unwrap();
    assert_eq!((items.len(), pages, items[0]["uniqueId"].as_str()), (150, 2, Some("d100")));
}

#[test]
fn iterate_stops_a_server_that_ignores_paging() {
    let mock = Mock::new(cloud(|_| reply(200, r#"{"data":[{"name":"a"},{"name":"b"}],"status":200,"count":-1}"#)));
    let err = iterate(&client(&mock), json!({"pageSize": 2})).unwrap_err();
    assert!(matches!(err, Error::InvalidResponse(ref m) if m.contains("same page twice")), "{err}");
    assert_eq!(mock.count("/Device?"), 2);
    // A cursor that is not one of this list's.
    let mock = Mock::new(cloud(ok));
    for bad in [json!("x"), json!(""), json!("-1\nx"), json!("2x\ny")] {
        let e = call(&client(&mock), "devices.iterate", &[json!({"start": bad})]).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{bad}: {e}");
    }
    let e = call(&client(&mock), "devices.iterate", &[json!({"pageSize": 0})]).unwrap_err();
    assert_eq!(e.to_string(), "iotc.devices.iterate: `pageSize` must be an integer from 1 to 1000");
}

#[test]
fn the_history_window_is_checked_before_anything_is_sent() {
    let mock = Mock::new(cloud(ok));
    let c = client(&mock);
    let history = |from: &str, to: &str| call(&c, "telemetry.history", &[json!("u"), json!({"from": from, "to": to})]);
    for (from, to) in [
        ("2025-01-16T00:00:00Z", "2025-01-15T23:59:59Z"),
        ("2025-01-01T00:00:00Z", "2025-01-08T00:00:01Z"),
        ("2025-01-08T00:00:00+01:00", "2025-01-01T00:00:00+01:00"),
        ("2025-01-01", "2025-02-01"),
    ] {
        assert!(matches!(history(from, to), Err(Error::InvalidArgument(_))), "{from} {to}");
    }
    assert_eq!(
        history("2025-01-16T00:00:00Z", "2025-01-15T00:00:00Z").unwrap_err().to_string(),
        "iotc.telemetry.history: `from` is after `to`"
    );
    assert_eq!(
        history("2025-01-01T00:00:00Z", "2025-01-09T00:00:00Z").unwrap_err().to_string(),
        "iotc.telemetry.history: `to` is more than 7 days after `from`"
    );
    assert!(mock.requests.borrow().is_empty());
    // Exactly 7 days, and an instant, are windows.
    history("2025-01-01T00:00:00Z", "2025-01-08T00:00:00Z").unwrap();
    history("2025-01-01T02:00:00+02:00", "2025-01-01T00:00:00Z").unwrap();
    assert!(mock
        .requests
        .borrow()
        .last()
        .unwrap()
        .url
        .ends_with("/from/2025-01-01%2000%3A00%3A00/to/2025-01-01%2000%3A00%3A00"));
}

#[test]
fn recent_telemetry_takes_10_to_50_values() {
    let mock = Mock::new(cloud(ok));
    let c = client(&mock);
    for n in [json!(9), json!(51), json!(0), json!(10.5), json!("20")] {
        let e = call(&c, "telemetry.recent", &[json!("u"), n.clone()]).unwrap_err();
        assert_eq!(e.to_string(), "iotc.telemetry.recent: `n` must be an integer from 10 to 50", "{n}");
    }
    assert!(mock.requests.borrow().is_empty());
    let e = call(&c, "devices.list", &[json!({"pageNumber": 0})]).unwrap_err();
    assert_eq!(e.to_string(), "iotc.devices.list: `pageNumber` must be an integer from 1");
}

#[test]
fn request_checks_its_service_method_and_path() {
    let mock = Mock::new(cloud(ok));
    let c = client(&mock);
    let refused = |o: Value| match call(&c, ".request", &[o]) {
        Err(Error::InvalidArgument(m)) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(json!({"service": "billing", "path": "/x"})),
        "iotc.request: `service` must be one of master, auth, user, device, firmware, event, telemetry, file"
    );
    assert_eq!(
        refused(json!({"service": "device", "path": "/x", "method": "get"})),
        "iotc.request: `method` must be GET, POST, PUT, PATCH or DELETE"
    );
    assert_eq!(
        refused(json!({"service": "device", "path": "/x", "body": {}})),
        "iotc.request: `body` cannot be sent with GET"
    );
    assert_eq!(
        refused(json!({"service": "device", "path": "/x", "query": {"a": {}}})),
        "iotc.request: `a` must be a string, number or boolean"
    );
    assert_eq!(
        refused(json!({"service": "device", "path": "/x", "query": 1})),
        "iotc.request: `query` must be an object"
    );
    assert!(refused(json!({"service": "device", "path": "/a/../Auth/login"}))
        .starts_with("iotc.request: `path` must be a path"));
    assert!(refused(json!({"service": "device", "path": "https://evil.test/x"}))
        .starts_with("iotc.request: `path` must be a path"));
    assert_eq!(refused(json!({"path": "/x"})), "iotc.request: `service` is required");
    assert_eq!(refused(json!({"service": "device"})), "iotc.request: `path` is required");
    assert!(mock.requests.borrow().is_empty());
}

#[test]
fn given_urls_need_no_discovery() {
    let mock = Mock::new(cloud(ok));
    let mut urls = vec![String::new(); 8];
    urls[1] = "https://auth.test/api/v2.1".into();
    urls[3] = "https://device.test/api/v2.1".into();
    let c = client_with(&mock, Some(urls), None);
    call(&c, "devices.list", &[json!({})]).unwrap();
    assert_eq!(mock.count("discovery"), 0);
    assert_eq!(mock.requests.borrow().len(), 3, "basic-token, login, the list");
    let e = call(&c, "telemetry.latest", &[json!("d")]).unwrap_err();
    assert_eq!(e.to_string(), "IoTConnect: no URL for the telemetry service (`urls.telemetry`)");
    // A ready token: nothing but the call.
    let mock = Mock::new(cloud(ok));
    let c = client_with(
        &mock,
        Some(vec!["".into(), "".into(), "".into(), "https://device.test/api/v2.1".into()]),
        Some("tk"),
    );
    call(&c, "devices.get", &[json!("g")]).unwrap();
    assert_eq!(mock.requests.borrow().len(), 1);
    assert_eq!(mock.requests.borrow()[0].header_value("authorization"), Some("Bearer tk"));
}

#[test]
fn service_urls_are_checked_and_a_bare_host_gets_the_api_version() {
    let urls = service_urls(
        &json!({"auth": "https://authpoc.iotconnect.io/", "device": "https://d.test/api/v2.1", "user": 5, "file": "http://f"}),
        "IoTConnect",
        "urls.",
        "",
        "az",
    )
    .unwrap();
    assert_eq!(urls[1], "https://authpoc.iotconnect.io/api/v2");
    assert_eq!(urls[3], "https://d.test/api/v2.1");
    assert_eq!((urls[2].as_str(), urls[7].as_str()), ("", "http://f/api/v2"));
    let aws = service_urls(&json!({"auth": "https://a.test"}), "IoTConnect", "", "", "aws").unwrap();
    assert_eq!(aws[1], "https://a.test/api/v2.1");
    for bad in ["authpoc.iotconnect.io", "/api/v2", "https://a.test/x?y", "ftp://a.test"] {
        let e = service_urls(&json!({ "auth": bad }), "IoTConnect", "urls.", "", "").unwrap_err();
        assert!(e.to_string().starts_with("IoTConnect: `urls.auth` must be an absolute"), "{bad}: {e}");
    }
}

#[test]
fn expired_tokens_are_refreshed_then_relogged_when_refresh_fails() {
    let mock = Mock::new(cloud(ok));
    let c = client(&mock);
    block_on(c.login()).unwrap();
    mock.advance(3_600_000.0);
    block_on(c.login()).unwrap();
    assert_eq!(
        (mock.count("/Auth/refresh-token"), mock.count("/Auth/login"), mock.count("/Auth/basic-token")),
        (1, 1, 1)
    );
    assert_eq!(json_body(mock.requests.borrow().last().unwrap()).as_deref(), Some(r#"{"refreshtoken":"rt1"}"#));
    // at2/rt2 now; rt2 is unknown to the fake, so the next refresh fails with 409 and we log in again.
    mock.advance(3_600_000.0);
    block_on(c.login()).unwrap();
    assert_eq!(
        (mock.count("/Auth/refresh-token"), mock.count("/Auth/login"), mock.count("/Auth/basic-token")),
        (2, 2, 2)
    );
    assert_eq!(mock.count("discovery"), 1);
}

#[test]
fn a_refresh_that_fails_otherwise_is_reported() {
    let mut inner = cloud(ok);
    let mock = Mock::new(move |req, now| {
        if req.url.ends_with("/refresh-token") {
            return reply(500, r#"{"status":500,"message":"Technical error","error":[]}"#);
        }
        inner(req, now)
    });
    let c = client(&mock);
    block_on(c.login()).unwrap();
    mock.advance(3_600_000.0);
    let e = block_on(c.login()).unwrap_err();
    assert_eq!((e.status(), e.to_string().as_str()), (Some(500), "Technical error"));
    assert_eq!(mock.count("/Auth/login"), 1);
}

#[test]
fn discovery_502_html_is_retried() {
    let mut failures = 2;
    let mut inner = cloud(ok);
    let mock = Mock::new(move |req, now| {
        if req.url.starts_with("https://discovery.test") && failures > 0 {
            failures -= 1;
            return reply(502, "<html><body>502 Bad Gateway</body></html>");
        }
        inner(req, now)
    });
    call(&client(&mock), "devices.list", &[json!({})]).unwrap();
    assert_eq!(mock.count("discovery.test"), 3);
}

#[test]
fn discovery_urls_must_be_absolute() {
    let mut inner = cloud(ok);
    let mock = Mock::new(move |req, now| {
        if req.url.starts_with("https://discovery.test") {
            return reply(200, r#"{"data":{"authBaseUrl":"/relative/api","deviceBaseUrl":"https://d.test"}}"#);
        }
        inner(req, now)
    });
    let err = block_on(client(&mock).login()).unwrap_err();
    assert!(matches!(err, Error::InvalidResponse(ref m) if m.contains("authBaseUrl")), "{err}");
    assert_eq!(mock.requests.borrow().len(), 1, "no login sent to a relative URL");
}

#[test]
fn the_token_is_read_without_a_request() {
    let mock = Mock::new(cloud(ok));
    let c = client_with(&mock, None, Some("h.p.s"));
    assert_eq!(c.access_token().as_deref(), Some("h.p.s"));
    assert!(mock.requests.borrow().is_empty());
    assert_eq!(client(&mock).access_token(), None);
}
