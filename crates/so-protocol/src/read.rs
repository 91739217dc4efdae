//! Reading the payload from stdin with a cap.

use std::io::{self, Read};

use crate::ProtocolError;

/// Largest payload [`crate::run_hook`] accepts: 8 MiB.
///
/// Real payloads are a few KiB; the biggest legitimate ones carry a whole file in
/// `tool_input.content` (a `Write` call). Anything past this is refused rather than parsed.
pub const MAX_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;

/// How many bytes in total [`read_payload`] drains from an oversized payload before it stops
/// reading: 64 MiB (or `limit + 1` if that is larger).
///
/// Draining lets the client finish its write instead of getting `EPIPE`; the bound keeps a
/// runaway writer from holding the hook forever.
pub const MAX_DRAIN_BYTES: usize = 64 * 1024 * 1024;

/// Reads `reader` to end of file and returns what it held, if that is at most `limit` bytes.
///
/// If more arrives, the excess is read and discarded (up to [`MAX_DRAIN_BYTES`] in total) so the
/// writer is not cut off, then [`ProtocolError::TooLarge`] is returned. At most `limit + 1`
/// bytes are ever held in memory. An empty result is not an error here; [`crate::decode`]
/// reports it.
pub fn read_payload(mut reader: impl Read, limit: usize) -> Result<Vec<u8>, ProtocolError> {
    let keep = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut kept = Vec::new();
    // read_to_end retries on Interrupted.
    (&mut reader)
        .take(keep)
        .read_to_end(&mut kept)
        .map_err(ProtocolError::Io)?;
    if kept.len() <= limit {
        return Ok(kept);
    }
    let read_so_far = u64::try_from(kept.len()).unwrap_or(u64::MAX);
    drop(kept);
    let drain_total = u64::try_from(MAX_DRAIN_BYTES).unwrap_or(u64::MAX);
    let rest = drain_total.saturating_sub(read_so_far);
    // A read error while draining changes nothing: the answer is TooLarge either way.
    let _ = io::copy(&mut reader.take(rest), &mut io::sink());
    Err(ProtocolError::TooLarge { limit })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Counts how many bytes were pulled from it.
    struct Counting {
        remaining: usize,
        pulled: usize,
    }

    impl Read for Counting {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.remaining);
            buf[..n].fill(b' ');
            self.remaining -= n;
            self.pulled += n;
            Ok(n)
        }
    }

    #[test]
    fn small_payload_is_returned_whole() {
        let out = read_payload(&b"{\"a\":1}"[..], 7).unwrap();
        assert_eq!(out, b"{\"a\":1}");
    }

    #[test]
    fn oversized_payload_is_drained_then_refused() {
        let mut src = Counting {
            remaining: 3 * 1024 * 1024,
            pulled: 0,
        };
        let err = read_payload(&mut src, 1024).unwrap_err();
        assert!(matches!(err, ProtocolError::TooLarge { limit: 1024 }));
        assert_eq!(src.remaining, 0, "the writer must not be cut off");
    }

    #[test]
    fn draining_stops_at_the_bound() {
        let mut src = Counting {
            remaining: MAX_DRAIN_BYTES + 4096,
            pulled: 0,
        };
        let err = read_payload(&mut src, 10).unwrap_err();
        assert!(matches!(err, ProtocolError::TooLarge { .. }));
        assert_eq!(src.pulled, MAX_DRAIN_BYTES);
    }

    #[test]
    fn read_error_is_reported() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("boom"))
            }
        }
        let err = read_payload(Failing, 10).unwrap_err();
        assert!(matches!(err, ProtocolError::Io(_)));
        assert!(err.to_string().contains("boom"));
    }
}
