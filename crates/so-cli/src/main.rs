//! session-orchestrator CLI (wip).
fn main() {}
