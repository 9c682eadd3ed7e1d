//! The crate's one error type. `js::error` turns it into the JavaScript `CloudError`.

use crate::prelude::*;

use crate::http::encode::{cat, num, trim};
use crate::http::{Body, Response};

/// The cloud a client talks to; carried into every `CloudError` as `vendor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    Arduino,
    Particle,
    CThings,
    IoTConnect,
}

impl Vendor {
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Arduino => "arduino",
            Vendor::Particle => "particle",
            Vendor::CThings => "cthings",
            Vendor::IoTConnect => "iotconnect",
        }
    }
}

/// A response body kept for an error: JSON text or plain text (HTML, text/plain) in native code; in the
/// wasm build the platform's own value, handed to JS as it came (never copied through wasm memory, however
/// large the body).
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorBody {
    Empty,
    #[cfg(any(test, not(target_arch = "wasm32")))]
    Json(String),
    #[cfg(any(test, not(target_arch = "wasm32")))]
    Text(String),
    #[cfg(target_arch = "wasm32")]
    Js(wasm_bindgen::JsValue),
}

/// A non-success answer from a cloud, in the vendor's own words.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpError {
    pub status: u16,
    /// The vendor's machine-readable code (`invalid_grant`, `not_found`, …) or `http_<status>`.
    pub code: String,
    /// The vendor's human-readable message.
    pub message: String,
    pub body: ErrorBody,
    /// Seconds to wait, from `Retry-After`, when the server sent one.
    pub retry_after: Option<f64>,
}

/// Its message is [`Error::message`] (also its `Display`).
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Bad input caught before any request was sent.
    InvalidArgument(String),
    /// (Shared: the error of one token fetch goes to every caller waiting on it, and cloning it costs a count.)
    Http(alloc::rc::Rc<HttpError>),
    Timeout(u32),
    Aborted,
    Network(String),
    /// A success answer that lacks what the protocol promises (a token response without a token, …).
    InvalidResponse(String),
    /// A success status whose body is not what the operation returns (HTML where JSON was due, an
    /// object where an array was due, truncated JSON); the body is kept as it came.
    UnexpectedBody(&'static str, ErrorBody),
    /// A redirect that is not followed: any redirect of a request that carries credentials, and a
    /// redirect of an API request to another origin.
    RedirectRefused(String),
    /// What a vendor cannot do (the unified model's methods), refused before any request; status 0.
    Unsupported(String),
    /// A name the unified model looked up and did not find (a property, a command of a device).
    NotFound(String),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument(message.into())
    }

    /// The message, in the vendor's words for an HTTP error (made without `format!`).
    pub fn message(&self) -> String {
        match self {
            Error::InvalidArgument(m) | Error::RedirectRefused(m) | Error::Unsupported(m) | Error::NotFound(m) => {
                m.clone()
            }
            Error::Http(e) => e.message.clone(),
            Error::Timeout(ms) => cat(&["request timed out after ", &num((*ms).into()), " ms"]),
            Error::Aborted => "request aborted".into(),
            Error::Network(m) => cat(&["network error: ", m]),
            Error::InvalidResponse(m) => cat(&["unexpected response: ", m]),
            Error::UnexpectedBody(what, _) => cat(&["unexpected response: the body is ", what]),
        }
    }

    /// The `code` exposed to JavaScript.
    pub fn code(&self) -> &str {
        match self {
            Error::InvalidArgument(_) => "invalid_argument",
            Error::Http(e) => &e.code,
            Error::Timeout(_) => "timeout",
            Error::Aborted => "aborted",
            Error::Network(_) => "network_error",
            Error::InvalidResponse(_) | Error::UnexpectedBody(..) => "invalid_response",
            Error::RedirectRefused(_) => "redirect_refused",
            Error::Unsupported(_) => "unsupported",
            Error::NotFound(_) => "not_found",
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http(e) => Some(e.status),
            Error::Unsupported(_) => Some(0),
            _ => None,
        }
    }

    /// Builds the error for a non-success response from the fields vendors use:
    /// OAuth (`error`, `error_description`), Goa (`code`, `detail`), Particle (`error`, `info`),
    /// envelopes (`message`, `error[]`), or a text body.
    pub fn from_response<B: Body>(resp: &Response<B>) -> Self {
        let body = &resp.body;
        let status = num(resp.status.into());
        let message = ["error_description", "detail", "message", "error"]
            .iter()
            .find_map(|k| text_at(body, k))
            .or_else(|| {
                // A text body, unless blank or markup (an HTML error page from a proxy, XML: it stays
                // available as `body`).
                let s = body.as_str()?;
                let s = trim(&s);
                s.as_bytes().first().is_some_and(|b| *b != b'<').then(|| clip(s))
            })
            .unwrap_or_else(|| cat(&["HTTP ", &status]));
        let code = ["error", "code"]
            .iter()
            .filter_map(|k| text_at(body, k))
            .find(|c| is_identifier(c))
            .unwrap_or_else(|| cat(&["http_", &status]));
        let retry_after = resp.retry_after_ms.map(|ms| ceil(ms / 1000.0));
        Error::Http(alloc::rc::Rc::new(HttpError {
            status: resp.status,
            code,
            message,
            body: body.to_error_body(),
            retry_after,
        }))
    }
}

/// The error of a wrong argument or option: `{ctx}: \`{name}\` {what}` (`iotc.devices.get: \`guid\` must not
/// contain …`), every such message made by this one function.
#[inline(never)]
pub(crate) fn bad(ctx: &str, name: &str, what: &str) -> Error {
    Error::InvalidArgument(cat(&[ctx, ": `", name, "` ", what]))
}

/// The text at `key` of a body, unless blank.
#[inline(never)]
fn text_at<B: Body>(body: &B, key: &str) -> Option<String> {
    body.str_at(key).filter(|s| !trim(s).is_empty())
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// `s` (trimmed) cut after 200 characters.
fn clip(s: &str) -> String {
    // Characters counted by their first bytes (not 0b10xx_xxxx).
    let mut chars = 0;
    for (i, b) in s.bytes().enumerate() {
        if b & 0xc0 != 0x80 {
            if chars == 200 {
                return cat(&[s.get(..i).unwrap_or(s), "…"]);
            }
            chars += 1;
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::json;

    fn resp(status: u16, body: serde_json::Value) -> Response<serde_json::Value> {
        Response::new(status, body)
    }

    #[test]
    fn oauth_errors_keep_the_vendors_words() {
        let e = Error::from_response(&resp(
            400,
            json(r#"{"error":"invalid_grant","error_description":"User credentials are invalid"}"#),
        ));
        assert_eq!(e.code(), "invalid_grant");
        assert_eq!(e.to_string(), "User credentials are invalid");
        assert_eq!(e.status(), Some(400));
    }

    #[test]
    fn goa_errors_use_code_and_detail() {
        let e = Error::from_response(&resp(
            404,
            json(r#"{"id":"x1","code":"not_found","status":404,"detail":"thing not found"}"#),
        ));
        assert_eq!((e.code(), e.to_string().as_str()), ("not_found", "thing not found"));
    }

    #[test]
    fn particle_sentences_in_error_become_the_message_not_the_code() {
        let e = Error::from_response(&resp(408, json(r#"{"ok":false,"error":"timed out"}"#)));
        assert_eq!((e.code(), e.to_string().as_str()), ("http_408", "timed out"));
    }

    #[test]
    fn html_bodies_give_a_status_message() {
        let body = serde_json::Value::String("<!DOCTYPE html><html><body>Bad gateway</body></html>".into());
        let e = Error::from_response(&resp(502, body));
        assert_eq!(e.to_string(), "HTTP 502");
        let Error::Http(h) = e else { panic!("not http") };
        assert!(matches!(h.body, ErrorBody::Text(ref t) if t.contains("Bad gateway")));
    }

    #[test]
    fn retry_after_is_reported_in_seconds() {
        let mut r = resp(429, serde_json::Value::String("You have reached maximum request limit.".into()));
        r.retry_after_ms = Some(7_000.0);
        let Error::Http(h) = Error::from_response(&r) else { panic!("not http") };
        assert_eq!(h.retry_after, Some(7.0));
        assert_eq!(h.message, "You have reached maximum request limit.");
    }

    #[test]
    fn long_text_messages_are_cut_after_200_characters() {
        assert_eq!(clip(&"é".repeat(200)), "é".repeat(200));
        assert_eq!(clip(&"é€x".repeat(70)), ["é€x".repeat(66), "é€…".into()].concat());
        assert_eq!(clip(""), "");
    }
}
