//! Every word the playbook area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // mod.rs
    STAFF = ("職員", "staff"),
    RESPONDERS = ("対応チーム", "responders"),
    IT = ("情報システム担当", "IT"),
    MANAGEMENT = ("管理者・責任者", "management"),
    VENDOR = ("保守会社", "vendor"),
    NETWORK_TEAM = ("ネットワーク担当", "network team"),
    LIST_DISKS = ("ディスク一覧", "list disks"),
    COLLECT_EVIDENCE = ("証拠の収集", "collect evidence"),
    YARA_X_SCAN = ("YARA-X 検査", "YARA-X scan"),
    ANALYSE_ARTEFACTS = ("痕跡の解析", "analyse artefacts"),
    ISOLATE = ("隔離", "isolate"),
    VERIFY_BACKUPS = ("バックアップ検証", "verify backups"),
    WRITE_REPORTS = ("報告書の作成", "write reports"),
    NETWORK_SHEET = ("遮断依頼票", "network sheet"),
    RECORD_A_NOTE = ("メモを記録", "record a note"),
    CALL = ("連絡", "call"),
}
