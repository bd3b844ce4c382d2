//! Windows: detections from event-log records and what an offline registry says about
//! persistence and external connection points.

pub mod events;
pub mod registry;

/// Compiles every fixed pattern of the Windows detections (see [`crate::selftest::bundled_data`]).
pub(crate) fn force_patterns() {
    use std::sync::LazyLock;
    for p in [
        &events::SUSPICIOUS_IMAGE,
        &registry::KB,
        &registry::TOOL_NAMES,
        &registry::SHELL_OR_SCRIPT,
        &registry::PROGRAMDATA_ROOT,
    ] {
        LazyLock::force(p);
    }
}
