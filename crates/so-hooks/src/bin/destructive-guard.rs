//! destructive-guard hook (wip).
fn main() {}
