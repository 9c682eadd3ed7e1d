//! The fetch transport in a real JavaScript engine (Node, via wasm-bindgen-test): how it calls `fetch`,
//! reads `Response`s, and maps timeouts, aborts and network failures. The `fetch` here is a function
//! written in JS that answers with the platform's own `Response`.
#![cfg(target_arch = "wasm32")]

use iot_cloud_wasm::http::fetch::FetchTransport;
use iot_cloud_wasm::http::{Body, Method, Payload, Request, Transport};
use iot_cloud_wasm::{Error, ErrorBody};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A fetch function from JS source; it records its calls in `globalThis.calls`.
fn js_fetch(body: &str) -> Function {
    let src = format!("globalThis.calls = (globalThis.calls || 0) + 1; globalThis.lastInit = init; {body}");
    Function::new_with_args("url, init", &src)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn global(key: &str) -> JsValue {
    get(&js_sys::global(), key)
}

fn reset() {
    let _ = Reflect::set(&js_sys::global(), &"calls".into(), &0.into());
}

#[wasm_bindgen_test]
async fn sends_method_headers_and_body_and_parses_json() {
    reset();
    let fetch = js_fetch("return new Response(JSON.stringify({ok: true, n: 3, url}), {status: 201})");
    let t = FetchTransport::new(Some(fetch), 0, None).unwrap();
    let mut req = Request::new(Method::Put, "http://127.0.0.1:9/x")
        .header("X-Test", "1")
        .header("Content-Type", "application/json");
    req.payload = Some(Payload::Json(js_sys::JSON::parse("{\"a\":1}").unwrap()));
    let resp = t.send(&req, None).await.unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.body.num_at("n"), Some(3.0));
    assert_eq!(resp.body.str_at("url").as_deref(), Some("http://127.0.0.1:9/x"));
    let init = global("lastInit");
    assert_eq!(get(&init, "method").as_string().as_deref(), Some("PUT"));
    assert_eq!(get(&init, "body").as_string().as_deref(), Some("{\"a\":1}"));
    let headers = get(&init, "headers");
    assert_eq!(get(&headers, "X-Test").as_string().as_deref(), Some("1"));
    assert_eq!(get(&headers, "Content-Type").as_string().as_deref(), Some("application/json"));
    assert!(get(&init, "signal").is_undefined(), "no timeout and no user signal: no signal");
    assert_eq!(get(&init, "redirect").as_string().as_deref(), Some("manual"), "redirects are decided in Rust");
}

#[wasm_bindgen_test]
async fn redirects_report_where_they_lead_and_whether_that_leaves_the_origin() {
    let to = |location: &str| {
        js_fetch(&format!("return new Response(null, {{status: 307, headers: {{Location: '{location}'}}}})"))
    };
    let send = |f| async move {
        FetchTransport::new(Some(f), 0, None)
            .unwrap()
            .send(&Request::get("http://127.0.0.1:9/a/b?q"), None)
            .await
            .unwrap()
    };
    assert_eq!(send(to("/c")).await.location.as_deref(), Some("http://127.0.0.1:9/c"));
    assert_eq!(send(to("c?d")).await.location.as_deref(), Some("http://127.0.0.1:9/a/c?d"));
    for elsewhere in ["http://127.0.0.1:10/a", "//evil.test/a", "https://127.0.0.1:9/a", "http://[bad"] {
        assert_eq!(send(to(elsewhere)).await.location.as_deref(), Some(""), "{elsewhere}");
    }
    let none = js_fetch("return new Response(null, {status: 302})");
    assert_eq!(send(none).await.location, None);
    // A browser's `redirect: 'manual'` answer hides the Location: a redirect without one, which
    // `redirect::follow` refuses (never followed blindly).
    let opaque = js_fetch("return {type: 'opaqueredirect', status: 0}");
    let resp =
        FetchTransport::new(Some(opaque), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    assert_eq!((resp.status, resp.location), (302, None));
    let core = iot_cloud_wasm::http::Core::new(
        FetchTransport::new(Some(js_fetch("return {type: 'opaqueredirect', status: 0}")), 0, None).unwrap(),
        Default::default(),
    );
    assert_eq!(core.send(&Request::get("http://x/"), &[]).await.unwrap_err().code(), "redirect_refused");
}

#[wasm_bindgen_test]
async fn text_bodies_stay_text_and_empty_bodies_are_null() {
    let html = js_fetch("return new Response('<html>502 Bad Gateway</html>', {status: 502})");
    let resp = FetchTransport::new(Some(html), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    assert_eq!(resp.body.as_str().as_deref(), Some("<html>502 Bad Gateway</html>"));
    assert_eq!(resp.body.to_error_body(), ErrorBody::Js("<html>502 Bad Gateway</html>".into()));
    let empty = js_fetch("return new Response(null, {status: 204})");
    let resp = FetchTransport::new(Some(empty), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    assert!(Body::is_null(&resp.body));
}

#[wasm_bindgen_test]
async fn retry_after_seconds_and_http_dates_are_read() {
    let secs = js_fetch("return new Response('', {status: 429, headers: {'Retry-After': '7'}})");
    let resp = FetchTransport::new(Some(secs), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    assert_eq!(resp.retry_after_ms, Some(7_000.0));
    let date = js_fetch(
        "return new Response('', {status: 503, headers: {'Retry-After': new Date(Date.now() + 4000).toUTCString()}})",
    );
    let resp = FetchTransport::new(Some(date), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    let ms = resp.retry_after_ms.unwrap();
    assert!(ms > 0.0 && ms <= 4_000.0, "{ms}");
    let junk = js_fetch("return new Response('', {status: 503, headers: {'Retry-After': 'later'}})");
    let resp = FetchTransport::new(Some(junk), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    assert_eq!(resp.retry_after_ms, None);
}

/// A fetch that never answers but honours its signal, as the platform's does. Like a real pending request
/// it keeps Node's event loop alive (AbortSignal.timeout alone does not).
const HANG: &str = "return new Promise((_, reject) => { const open = setInterval(() => {}, 1000); \
    init.signal.addEventListener('abort', () => { clearInterval(open); reject(init.signal.reason); }); })";

#[wasm_bindgen_test]
async fn a_hanging_request_times_out() {
    let t = FetchTransport::new(Some(js_fetch(HANG)), 50, None).unwrap();
    assert_eq!(t.send(&Request::get("http://x/"), None).await.unwrap_err(), Error::Timeout(50));
}

#[wasm_bindgen_test]
async fn the_users_signal_aborts_and_a_fired_signal_sends_nothing() {
    reset();
    let controller = web_sys::AbortController::new().unwrap();
    let signal: JsValue = controller.signal().into();
    let t = FetchTransport::new(Some(js_fetch(HANG)), 10_000, Some(signal.clone())).unwrap();
    let abort = Function::new_with_args("c", "setTimeout(() => c.abort(), 20)");
    abort.call1(&JsValue::NULL, &controller).unwrap();
    assert_eq!(t.send(&Request::get("http://x/"), None).await.unwrap_err(), Error::Aborted);
    assert_eq!(global("calls").as_f64(), Some(1.0));
    assert_eq!(t.send(&Request::get("http://x/"), None).await.unwrap_err(), Error::Aborted);
    assert_eq!(global("calls").as_f64(), Some(1.0), "an aborted signal sends nothing");
}

#[wasm_bindgen_test]
async fn a_back_off_sleep_ends_when_the_signal_fires() {
    let controller = web_sys::AbortController::new().unwrap();
    let t = FetchTransport::new(Some(js_fetch(HANG)), 0, Some(controller.signal().into())).unwrap();
    let abort = Function::new_with_args("c", "setTimeout(() => c.abort(), 20)");
    abort.call1(&JsValue::NULL, &controller).unwrap();
    let start = js_sys::Date::now();
    t.sleep(60_000.0).await;
    assert!(js_sys::Date::now() - start < 30_000.0, "woke by the signal, not by the 60 s timer");
}

#[wasm_bindgen_test]
async fn a_fetch_that_does_not_return_a_response_is_an_error_not_a_crash() {
    for answer in ["return {}", "return undefined", "return {status: 200, text: () => '[]'}"] {
        let t = FetchTransport::new(Some(js_fetch(answer)), 1_000, None).unwrap();
        let result = t.send(&Request::get("http://x/"), None).await;
        match answer {
            // No headers object: no Retry-After, but the response itself is fine.
            "return {status: 200, text: () => '[]'}" => assert_eq!(result.unwrap().status, 200),
            _ => assert!(matches!(result, Err(Error::InvalidResponse(_))), "{answer}"),
        }
    }
    let throws = js_fetch("return {status: 200, get headers() { throw new Error('boom') }, text: async () => ''}");
    let resp =
        FetchTransport::new(Some(throws), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap();
    assert_eq!(resp.status, 200);
}

#[wasm_bindgen_test]
async fn network_failures_keep_their_cause() {
    let fetch = js_fetch(
        "const e = new TypeError('fetch failed'); e.cause = Object.assign(new Error('connect'), {code: 'ECONNREFUSED'}); throw e",
    );
    let err =
        FetchTransport::new(Some(fetch), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap_err();
    assert_eq!(err, Error::Network("fetch failed (ECONNREFUSED)".into()));
    let rejects = js_fetch("return Promise.reject(new TypeError('Failed to fetch'))");
    let err =
        FetchTransport::new(Some(rejects), 0, None).unwrap().send(&Request::get("http://x/"), None).await.unwrap_err();
    assert_eq!(err, Error::Network("Failed to fetch".into()));
}

#[wasm_bindgen_test]
fn the_global_fetch_is_found() {
    assert!(global("fetch").is_function());
    assert!(FetchTransport::new(None, 0, None).is_ok());
    let _: Function = global("fetch").dyn_into().unwrap();
}
