//! HTTP Basic authentication of the site owner: user `admin`, password the admin token.
//!
//! Basic is enough because the dashboard is read-only and meant to sit behind TLS; it needs
//! no cookies, no session store and no login form, and every browser and `curl -u` speak it.

/// The only user name.
pub const USER: &str = "admin";

/// Whether an `Authorization` header value carries the admin's credentials.
pub fn authorized(header: Option<&str>, token: &str) -> bool {
    let Some((user, password)) = header.and_then(parse_basic) else {
        return false;
    };
    // Both comparisons always run, so timing does not tell which part was wrong.
    let user_ok = constant_time_eq(user.as_bytes(), USER.as_bytes());
    let password_ok = constant_time_eq(password.as_bytes(), token.as_bytes());
    user_ok & password_ok
}

/// The user and password of a `Basic` credentials header (RFC 7617).
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Compare two byte strings in time that depends only on their lengths, not on where they
/// first differ, so that a wrong token cannot be guessed byte by byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        difference |= x ^ y;
    }
    std::hint::black_box(difference) == 0
}

/// Standard base64 with padding (what browsers send in Basic credentials).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i == bytes.len() / 4 - 1;
        let padding = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - padding] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * padding as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials() {
        // "admin:s3cret" and "admin:a:b" (the password may contain ':').
        assert_eq!(
            parse_basic("Basic YWRtaW46czNjcmV0"),
            Some(("admin".into(), "s3cret".into()))
        );
        assert_eq!(
            parse_basic("basic YWRtaW46YTpi"),
            Some(("admin".into(), "a:b".into()))
        );
        assert_eq!(parse_basic("Bearer YWRtaW46czNjcmV0"), None);
        assert_eq!(parse_basic("Basic not-base64!"), None);
        assert_eq!(parse_basic("Basic YWRtaW4="), None, "no colon");
        assert_eq!(parse_basic("Basic"), None);
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode("YWI=").unwrap(), b"ab");
        assert_eq!(base64_decode("YWJj").unwrap(), b"abc");
        assert!(base64_decode("YQ").is_none());
        assert!(base64_decode("YQ==YWJj").is_none());
        assert!(base64_decode("Y===").is_none());
    }

    #[test]
    fn only_the_admin_with_the_token() {
        assert!(authorized(Some("Basic YWRtaW46czNjcmV0"), "s3cret"));
        assert!(!authorized(Some("Basic YWRtaW46czNjcmV0"), "s3cret!"));
        assert!(!authorized(Some("Basic YWRtaW46czNjcmU="), "s3cret"));
        // "root:s3cret"
        assert!(!authorized(Some("Basic cm9vdDpzM2NyZXQ="), "s3cret"));
        assert!(!authorized(None, "s3cret"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
