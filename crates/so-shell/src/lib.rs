//! so-shell (work in progress)
