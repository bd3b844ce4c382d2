//! The judgement over an endpoint's collected artefacts: what the event logs and the registry
//! say (`windows/`), the ministry's checklist answered from them, and the timeline. Reads the
//! evidence through [`crate::formats`]; writes findings and the timeline. Room beside `windows/`
//! for `linux/` and `appliance/`.

pub mod artefacts;
pub mod checklist;
pub(crate) mod strings;
pub mod windows;
