//! Page addresses: query strings written and read the same way on the server and in the browser,
//! so a filtered list can be bookmarked and shared.

/// Percent-decoding, `+` as a space; broken escapes are kept as written.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of one query value: only unreserved characters stay as they are.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `key=value&..` with each value percent-encoded (without the `?`).
pub fn query_string<V: AsRef<str>>(pairs: &[(&str, V)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v.as_ref())))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path` with the parameters that have a value, or `path` alone when none has.
pub fn with_query(path: &str, params: &[(&str, Option<&str>)]) -> String {
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .filter_map(|(k, v)| Some((*k, (*v)?)))
        .collect();
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query_string(&pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_encoding_and_decoding() {
        for value in [
            "Smith & Sons",
            "50% off",
            "a+b=c",
            "Zoë's plumbing",
            "#1/2?",
        ] {
            assert_eq!(decode(&encode(value)), value);
        }
        assert_eq!(encode("Smith & Sons"), "Smith%20%26%20Sons");
    }

    #[test]
    fn a_plus_reads_as_a_space_and_a_broken_escape_stays_as_written() {
        assert_eq!(decode("boiler+service"), "boiler service");
        assert_eq!(decode("100%zz"), "100%zz");
    }

    #[test]
    fn addresses_leave_out_an_empty_query() {
        assert_eq!(
            with_query("/agent/contractors", &[("light", None)]),
            "/agent/contractors"
        );
        assert_eq!(
            with_query(
                "/agent/contractors",
                &[
                    ("light", Some("red")),
                    ("page", None),
                    ("name", Some("A&B"))
                ]
            ),
            "/agent/contractors?light=red&name=A%26B"
        );
    }
}
