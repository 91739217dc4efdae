//! so-config (work in progress)
