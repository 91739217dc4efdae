//! Links the hook binaries as position-dependent executables on Linux.
//!
//! A hook process lives about a millisecond, and a PIE binary of this size spends ~100 µs
//! of it applying ~8,000 relative relocations at load (measured: ratio to a do-nothing
//! hook 1.31 → 1.19). The trade-off is that the executable image itself is not placed at a
//! random address (shared libraries, stack and heap still are); see docs/guard.md.

fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if linux {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
