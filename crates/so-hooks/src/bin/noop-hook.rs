//! A hook that does nothing: the baseline the benchmarks compare against.
fn main() {}
