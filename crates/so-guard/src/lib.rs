//! so-guard (work in progress)
