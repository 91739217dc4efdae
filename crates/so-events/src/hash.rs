//! Short, stable, non-cryptographic hashes for command texts and tool arguments.
//!
//! FNV-1a 64 is enough to tell repeated inputs apart and to group records; it is not meant to
//! resist an attacker, and the records never hold the text itself.

use serde_json::Value;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// The hash of a shell command as recorded in guard events: 16 lowercase hex digits of
/// FNV-1a 64 over the command's UTF-8 bytes, exactly as given (no normalisation, so the same
/// text always gives the same hash).
///
/// ```
/// let hash = so_events::command_hash("git reset --hard");
/// assert_eq!(hash, "de98d6e2695e7aab");
/// assert_ne!(hash, so_events::command_hash("git reset --hard HEAD"));
/// ```
pub fn command_hash(command: &str) -> String {
    format!("{:016x}", fnv1a64(command.as_bytes()))
}

/// The hash of a JSON value independent of object key order (keys are sorted recursively
/// before hashing), as 16 hex digits. Used for tool arguments in the loop guard.
pub fn json_hash(value: &Value) -> String {
    let mut canonical = String::new();
    write_canonical(value, &mut canonical);
    format!("{:016x}", fnv1a64(canonical.as_bytes()))
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnv_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn command_hash_is_hex_and_distinguishes() {
        let h = command_hash("git reset --hard");
        assert_eq!(h.len(), 16);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(h, command_hash("git reset --hard "));
    }

    #[test]
    fn json_hash_ignores_key_order() {
        let a = json!({"command": "ls", "description": "x", "n": [1, {"b": 1, "a": 2}]});
        let b = json!({"n": [1, {"a": 2, "b": 1}], "description": "x", "command": "ls"});
        assert_eq!(json_hash(&a), json_hash(&b));
        assert_ne!(json_hash(&a), json_hash(&json!({"command": "ls"})));
    }
}
