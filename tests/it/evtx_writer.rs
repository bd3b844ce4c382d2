//! The EVTX writer lives in the library (the demo endpoint uses it too).

pub use shodo::demo::evtx::*;
