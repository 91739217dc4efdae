//! Thin hook binaries.
