//! Every word the config area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // contacts.rs
    SYSTEM_VENDOR = ("保守会社", "System vendor"),
    MHLW = ("厚生労働省", "MHLW"),
    POLICE = ("警察", "Police"),
    PPC = ("個人情報保護委員会", "PPC"),
    JMA_HOTLINE = ("日本医師会", "JMA hotline"),
}
