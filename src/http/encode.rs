//! URL, form, multipart, JSON-string and Basic-auth encoding, without the `url` crate.

use crate::prelude::*;

use crate::error::{bad, Error};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn percent_encode(s: &str, space_as_plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b' ' if space_as_plus => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
    out
}

/// `s` without the whitespace (Unicode's, as `str::trim`) at either end, found reading forward only: the
/// standard `trim` brings its own backward UTF-8 decoder and searchers into the wasm.
#[inline(never)]
pub fn trim(s: &str) -> &str {
    let (mut start, mut end) = (None, 0);
    for (i, c) in s.char_indices() {
        if !c.is_whitespace() {
            start.get_or_insert(i);
            end = i + c.len_utf8();
        }
    }
    s.get(start.unwrap_or(0)..end).unwrap_or("")
}

/// A whole number in decimal digits, optionally after a `+`, as `str::parse` reads an unsigned integer;
/// `None` for anything else and for numbers from 18,446,744,073,709,551,610 on. One small reader for the
/// crate, in place of the standard parsers (one per integer type in the wasm).
#[inline(never)]
pub fn whole(s: &str) -> Option<u64> {
    let digits = match s.as_bytes() {
        [b'+', d @ ..] => d,
        d => d,
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() || n > (u64::MAX - 9) / 10 {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

/// [`whole`] as a `u32`: what `s.parse::<u32>()` reads.
pub fn whole32(s: &str) -> Option<u32> {
    whole(s).and_then(|n| u32::try_from(n).ok())
}

/// `parts` joined: messages and URLs made without `format!`, whose machinery costs wasm bytes at every
/// call site.
#[inline(never)]
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// A whole number in decimal, without the formatting machinery.
#[inline(never)]
pub fn num(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    // From the last digit (20 places hold any u64: no bounds check, no panic path).
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        i -= 1;
        if n == 0 {
            break;
        }
    }
    // SAFETY: ASCII digits are UTF-8.
    String::from(unsafe { core::str::from_utf8_unchecked(digits.get(i..).unwrap_or_default()) })
}

/// Checks an id that goes into a URL path and percent-encodes it.
///
/// `/`, `?` and `#` would change which resource is addressed, and `.`/`..` would climb the path, so they
/// are refused rather than encoded: an id never legitimately holds them.
pub fn path_segment(ctx: &str, name: &str, value: &str) -> Result<String, Error> {
    if trim(value).is_empty() {
        return Err(bad(ctx, name, "must be a non-empty string"));
    }
    if value == "." || value == ".." {
        return Err(bad(ctx, name, "must not be '.' or '..'"));
    }
    if value.chars().any(|c| matches!(c, '/' | '?' | '#' | '\\') || c.is_control()) {
        return Err(bad(ctx, name, "must not contain '/', '?', '#', '\\' or control characters"));
    }
    Ok(percent_encode(value, false))
}

/// A value percent-encoded whole for one path segment (`/` included), as `encodeURIComponent` does.
pub fn component(value: &str) -> String {
    percent_encode(value, false)
}

/// A query string (`?a=1&b=2`), or `""` when there are no parameters.
pub fn query(params: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&percent_encode(k, false));
        out.push('=');
        out.push_str(&percent_encode(v, false));
    }
    out
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(k, true));
        out.push('=');
        out.push_str(&percent_encode(v, true));
    }
    out
}

/// A `multipart/form-data` body of text fields; returns `(content_type, body)`.
pub fn multipart(fields: &[(&str, &str)], boundary: &str) -> (String, String) {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&cat(&[
            "--",
            boundary,
            "\r\nContent-Disposition: form-data; name=\"",
            name,
            "\"\r\n\r\n",
            value,
            "\r\n",
        ]));
    }
    body.push_str(&cat(&["--", boundary, "--\r\n"]));
    (cat(&["multipart/form-data; boundary=", boundary]), body)
}

/// The value of an HTTP Basic `Authorization` header.
pub fn basic_auth(user: &str, password: &str) -> String {
    cat(&["Basic ", &base64(cat(&[user, ":", password]).as_bytes())])
}

/// Standard base64 with padding (RFC 4648 §4). Twenty lines here instead of a crate that would add
/// kilobytes to the wasm for one header.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut n = 0u32;
        for i in 0..3 {
            n = n << 8 | u32::from(chunk.get(i).copied().unwrap_or(0));
        }
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// A JSON string literal, quotes included.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Checks a base URL given by the user (`https://api2.arduino.cc`) and drops trailing slashes, so that
/// `join` can append `/path`. `fetch` in Node needs absolute URLs, and a query or fragment would break
/// every path appended to it. Only printable ASCII is taken (an international host name in its `xn--`
/// form): whitespace or a control character would be dropped or refused by `fetch` far from here.
pub fn base_url(ctx: &str, name: &str, value: &str) -> Result<String, Error> {
    let v = trim(value);
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && r.as_bytes().first() != Some(&b'/')
                && v.bytes().all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#') =>
        {
            Ok(v.get(..v.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1)).unwrap_or(v).to_string())
        }
        _ => Err(bad(ctx, name, "must be an absolute http(s) URL without query or fragment")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_decimal() {
        for n in [0, 7, 10, 99, 100, 1_234_567_890, u64::MAX] {
            assert_eq!(num(n), n.to_string());
        }
    }

    #[test]
    fn ids_are_percent_encoded() {
        assert_eq!(path_segment("t", "id", "a b+c%é").unwrap(), "a%20b%2Bc%25%C3%A9");
        assert_eq!(path_segment("t", "id", "0123abcd-EF_.~").unwrap(), "0123abcd-EF_.~");
    }

    #[test]
    fn ids_that_would_change_the_path_are_refused() {
        for bad in ["", "  ", ".", "..", "a/b", "a?b", "a#b", "a\\b", "a\nb"] {
            let err = path_segment("t", "deviceId", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(ref m) if m.starts_with("t: `deviceId` ")), "{bad:?}: {err}");
        }
    }

    #[test]
    fn query_and_form_encoding() {
        assert_eq!(query(&[]), "");
        assert_eq!(query(&[("show_deleted", "true".into()), ("ids", "a,b".into())]), "?show_deleted=true&ids=a%2Cb");
        assert_eq!(
            form(&[("grant_type", "client_credentials"), ("audience", "https://api2.arduino.cc/iot"), ("p", "a b&c")]),
            "grant_type=client_credentials&audience=https%3A%2F%2Fapi2.arduino.cc%2Fiot&p=a+b%26c"
        );
    }

    #[test]
    fn multipart_fields_are_framed_by_the_boundary() {
        let (ct, body) = multipart(&[("grant_type", "client_credentials"), ("scope", "api")], "XyZ");
        assert_eq!(ct, "multipart/form-data; boundary=XyZ");
        assert_eq!(
            body,
            "--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"scope\"\r\n\r\napi\r\n--XyZ--\r\n"
        );
    }

    #[test]
    fn basic_auth_matches_the_cthings_documentation() {
        assert_eq!(
            basic_auth("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxxxxxxx"),
            "Basic eHh4eHh4eHgteHh4eC14eHh4LXh4eHgteHh4eHh4eHh4eHh4Onh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA=="
        );
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn json_strings_round_trip() {
        for s in ["plain", "quo\"te", "back\\slash", "line\nbreak\u{1}", "ünï"] {
            let parsed: String = serde_json::from_str(&json_string(s)).unwrap();
            assert_eq!(parsed, s);
        }
    }

    #[test]
    fn whole_numbers_read_as_the_standard_parsers_do() {
        let cases =
            ["", "+", "-1", "0", "+7", "007", " 1", "1 ", "1.0", "1e3", "4294967295", "4294967296", "+4294967296"];
        let more = ["18446744073709551609", "18446744073709551616", "99999999999999999999", "1٣", "١"];
        for s in cases.iter().chain(&more) {
            assert_eq!(whole(s), s.parse::<u64>().ok(), "{s:?}");
            assert_eq!(whole32(s), s.parse::<u32>().ok(), "{s:?}");
        }
        for n in (0..64).map(|k| 1u64 << k).chain([u32::MAX.into(), 9_999_999_999_999_999_999]) {
            assert_eq!(whole(&n.to_string()), Some(n));
        }
    }

    #[test]
    fn trim_is_the_standard_trim() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("{c}a{c}"), format!(" {c}\u{3000}b c{c}\t"), format!("x{c}")] {
                assert_eq!(trim(&s), s.trim(), "U+{:04X}", c as u32);
            }
        }
        assert_eq!(trim(""), "");
    }

    #[test]
    fn base_urls_must_be_absolute() {
        assert_eq!(base_url("t", "baseUrl", "https://api2.arduino.cc/").unwrap(), "https://api2.arduino.cc");
        assert_eq!(base_url("t", "baseUrl", "http://127.0.0.1:8787/arduino").unwrap(), "http://127.0.0.1:8787/arduino");
        assert_eq!(base_url("t", "baseUrl", " https://x.test/a// ").unwrap(), "https://x.test/a");
        for bad in ["", "api2.arduino.cc", "/iot", "ftp://x", "https://", "https://x/?a=1", "https://x/#f"] {
            assert!(base_url("t", "baseUrl", bad).is_err(), "{bad}");
        }
    }
}
