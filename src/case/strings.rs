//! Every word the case area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // summary.rs
    NOT_SET = ("未確定", "not set"),
    CASE = ("ケース", "Case"),
    HOSPITAL = ("病院", "Hospital"),
    NO_CONFIG = ("（設定なし）", "(no config)"),
    CREATED = ("作成", "Created"),
    AWARE_AT = ("覚知日時", "Aware at"),
    EXAMINERS = ("調査担当", "Examiners"),
    CLOCK_SKEW = ("時計のずれ", "Clock skew"),
    CUSTODY_LOG = ("記録", "Custody log"),
    ENDPOINTS = ("端末", "Endpoints"),
    BACKUPS = ("バックアップ", "Backups"),
    REPORTS = ("報告書", "Reports"),
    IN_USE_BY = ("使用中", "In use by"),
    NOT_MEASURED_NO_REFERENCE_TIME = ("未測定（--reference-time なし）", "not measured (no --reference-time)"),
    NONE_UNDER_0_5_S = ("ずれなし（±0.5 秒未満）", "none (under ±0.5 s)"),
    S_HOST_CLOCK_AHEAD = ("秒（ホストの時計が進んでいる）", "s (host clock ahead)"),
    S_HOST_CLOCK_BEHIND = ("秒（ホストの時計が遅れている）", "s (host clock behind)"),
    LAST = ("最新", "last"),
    ENTRIES = ("件", "entries"),
    PPC_PRELIM = ("PPC 速報", "PPC prelim."),
    GUIDELINE_3_5_DAYS = ("（目安 3〜5日）", "(guideline: 3–5 days)"),
    PPC_FINAL = ("PPC 確報", "PPC final"),
    NOT_SET_FILL_IN_SHODO_TOML = ("未設定（shodo.toml に記入してください）", "not set (fill in shodo.toml)"),
    // manual
    PPC_FINAL_DUE = ("{due}（不正の目的: 60日、あと {left} 日）", "{due} (malicious act: 60 days, {left} days left)"),
    DEFAULT_UNVERIFIED = ("［既定値: {date} 時点の公開情報・未確認］", "[default: public information as of {date}, unverified]"),
}
