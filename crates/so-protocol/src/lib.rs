//! so-protocol (work in progress)
