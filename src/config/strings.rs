//! Every word the config area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // contacts.rs
    SYSTEM_VENDOR = ("保守会社", "System vendor"),
    MHLW = ("厚生労働省", "MHLW"),
    POLICE = ("警察", "Police"),
    PPC = ("個人情報保護委員会", "PPC"),
    JMA_HOTLINE = ("日本医師会", "JMA hotline"),
    // values.rs
    NOT_A_TELEPHONE_NUMBER = ("電話番号として読めません {raw}（数字とハイフンで記入）", "not a telephone number {raw} (digits and hyphens)"),
    A_MANAGEMENT_ADDRESS_MUST_BE_ONE_PAIR = ("管理用の宛先は「IPアドレス:ポート」で1つずつ記入してください（例 192.0.2.10:22、[2001:db8::10]:443）: {raw}", "a management address must be one IP:port pair (e.g. 192.0.2.10:22, [2001:db8::10]:443): {raw}"),
    NOT_AN_AGE_PUBLIC_KEY = ("age の公開鍵（age1…）ではないか、チェックサムが合いません: {raw}", "not an age public key (age1…) or bad checksum: {raw}"),
}
