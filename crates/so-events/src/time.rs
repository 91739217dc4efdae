//! Timestamps: milliseconds since the Unix epoch, written as ISO-8601 UTC
//! (`2026-11-27T10:21:33.123Z`) and read back, without a date crate.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time with millisecond precision, in UTC.
///
/// ```
/// use so_events::Timestamp;
///
/// let t = Timestamp::from_millis(1_795_000_000_123);
/// assert_eq!(t.to_string(), "2026-11-18T11:06:40.123Z");
/// assert_eq!(Timestamp::parse("2026-11-18T11:06:40.123Z"), Some(t));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time (the Unix epoch if the clock is set before it).
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// `time` rounded down to the millisecond.
    pub fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Err(e) => Self(-i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX)),
        }
    }

    /// From milliseconds since the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// `self - earlier` in whole milliseconds; `None` when `earlier` is later (a clock step).
    pub fn millis_since(self, earlier: Timestamp) -> Option<u64> {
        u64::try_from(self.0.checked_sub(earlier.0)?).ok()
    }

    /// `self - duration`, saturating.
    #[must_use]
    pub fn minus(self, duration: Duration) -> Self {
        let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(ms))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff…]Z` (also `+00:00`); fractions beyond milliseconds
    /// are dropped. Anything else, including other offsets, is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut rest = &text[19..];
        let mut millis = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            for (i, c) in frac[..digits].bytes().take(3).enumerate() {
                millis += i64::from(c - b'0') * [100, 10, 1][i];
            }
            rest = &frac[digits..];
        }
        if rest != "Z" && rest != "+00:00" {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Self(secs * 1000 + millis))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1000);
        let millis = self.0.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(951_782_400_000).to_string(),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp(4_102_444_799_999).to_string(),
            "2099-12-31T23:59:59.999Z"
        );
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn round_trips_every_day_for_centuries() {
        let mut ms = -86_400_000 * 365 * 70;
        while ms < 86_400_000 * 365 * 200 {
            let t = Timestamp(ms + 37_123);
            assert_eq!(Timestamp::parse(&t.to_string()), Some(t), "{t}");
            ms += 86_400_000;
        }
    }

    #[test]
    fn matches_system_time() {
        let now = SystemTime::now();
        let t = Timestamp::from_system_time(now);
        let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        assert_eq!(t.millis() / 1000, i64::try_from(secs).unwrap_or(0));
    }

    #[test]
    fn parse_accepts_and_rejects() {
        let t = Timestamp::parse("2026-11-27T10:21:33Z");
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2026-11-27T10:21:33.000Z")
        );
        assert_eq!(
            Timestamp::parse("2026-11-27T10:21:33.123456+00:00").map(|t| t.millis() % 1000),
            Some(123)
        );
        for bad in [
            "",
            "2026-11-27",
            "2026-11-27 10:21:33Z",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-27T10:21:33+02:00",
            "2026-11-27T10:21:33.Z",
            "２026-11-27T10:21:33Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn millis_since_refuses_clock_steps() {
        assert_eq!(Timestamp(5_000).millis_since(Timestamp(2_000)), Some(3_000));
        assert_eq!(Timestamp(2_000).millis_since(Timestamp(5_000)), None);
    }
}
