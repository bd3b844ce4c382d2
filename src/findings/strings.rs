//! Every word the findings area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // severity.rs
    INFO = ("情報", "info"),
    LOW = ("低", "low"),
    MEDIUM = ("中", "medium"),
    HIGH = ("高", "high"),
    CRITICAL = ("重大", "critical"),
}
