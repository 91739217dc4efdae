//! A hook that reads stdin and answers "no opinion": the baseline the benchmarks compare
//! the real hooks against (same runtime, no work).

fn main() -> std::process::ExitCode {
    so_protocol::run_hook(so_protocol::FailurePolicy::FailOpenWithNotice, |_| {
        so_protocol::Outcome::Allow
    })
}
