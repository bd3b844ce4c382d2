//! Every word the engine's errors say to a person, in Japanese and English, in one place: a
//! translator or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // mod.rs
    REFUSING_TO_OVERWRITE = ("上書きしません: {path} は既に存在し、空ではありません（別のディレクトリを指定してください）", "refusing to overwrite: {path} already exists and is not empty"),
    NOT_A_SHODO_CASE = ("shodo のケースではありません: {path}（{reason}）", "not a shodo case: {path} ({reason})"),
    THE_CASE_IS_IN_USE = ("ケース {path} は別の shodo プロセスが使用中です（{holder}）。終了を待ってください", "the case {path} is in use by another shodo process ({holder}); wait for it to finish"),
    CORRUPT = ("{path} が壊れています: {what}", "{path}: {what}"),
    INVALID_TIME = ("日時 {input} を解釈できません。{reason}", "invalid time {input}: {reason}"),
    /// The Japanese reason of [`INVALID_TIME`] (the parser's own reason is in English).
    GIVE_NOW_RFC_3339_OR_JST = ("`now`、RFC 3339（2026-11-21T03:10:00+09:00）または `YYYY-MM-DD HH:MM[:SS]`（日本時間）で指定してください", "give `now`, RFC 3339 (2026-11-21T03:10:00+09:00) or `YYYY-MM-DD HH:MM[:SS]` in JST"),
    BUNDLED_DATA_IS_INVALID = ("同梱データ {name} が不正です（ビルドの不具合）: {reason}", "bundled data {name} is invalid: {reason}"),
    CANNOT_TELL_WHICH_SYSTEM = ("{path} がどの OS のものか判別できません（Windows/System32 も etc/ もありません）。--os windows|linux を指定してください", "cannot tell which system {path} holds (no Windows/System32, no etc/): give --os windows|linux"),
    CANNOT_NAME_THE_ENDPOINT = ("端末名を決められません（{reason}）。--endpoint で指定してください", "cannot name the endpoint: {reason}; give --endpoint ID"),
    ENDPOINT_ALREADY_HOLDS_EVIDENCE = ("端末 {id} には既に {existing} からの証拠があります。{source_path} には別の --endpoint を指定してください", "endpoint {id} already holds evidence from {existing}; use another --endpoint for {source_path}"),
    BITLOCKER_VOLUME = ("BitLocker ボリューム {path}: {reason}", "BitLocker volume {path}: {reason}"),
    ENCRYPTED_GIVE_THE_RECOVERY_KEY = ("暗号化されています。預けてある回復キーを --recovery-key-file FILE で指定してください", "encrypted; give the escrowed recovery key with --recovery-key-file FILE"),
    THE_RECOVERY_KEY_MUST_BE_8_GROUPS = ("回復キーは 6 桁 × 8 組（各組は 11 の倍数）です。打ち間違いを確認してください", "the recovery key must be 8 groups of 6 digits, each a multiple of 11 (check for a typo)"),
    COULD_NOT_UNLOCK_READ_ONLY = ("読み取り専用で解錠できません（キーの誤りか未対応の形式）。何も書き込んでいません: {why}", "could not unlock read-only (wrong key or unsupported volume); nothing was written: {why}"),
    REFUSING_TO_WRITE_THE_MANIFEST = ("マニフェスト {manifest} をバックアップ媒体 {medium} の中には書きません。媒体とは別の場所（別のディスク、ケースの USB）を指定してください", "refusing to write the manifest {manifest} onto the backup medium {medium}: keep it elsewhere (another disk, the case stick)"),
    YARA_X = ("YARA-X のエラー: {error}", "YARA-X: {error}"),
    CANCELLED_BY_THE_OPERATOR = ("{what} は操作者により中止されました。もう一度実行すると続きから行います", "{what} cancelled by the operator; run it again to finish"),
    // mod.rs: a file-system operation that failed
    IO_FAILED = ("{path} の{op}に失敗しました: {reason}", "{op} {path}: {reason}"),
    // mod.rs: the Japanese names of the operations (English shows an operation as the code names
    // it: `open`, `create`, `run nft (nftables)` …)
    READ = ("読み取り", "read"),
    WRITE = ("書き込み", "write"),
    RENAME = ("名前の変更", "rename"),
    SYNC = ("ディスクへの反映", "sync"),
    MKDIR = ("ディレクトリ作成", "mkdir"),
    LOCK = ("ロック", "lock"),
    OPERATION = ("処理", "operation"),
    // mod.rs: why an operation failed; Japanese names the kind of failure, then gives the
    // system's own words, which in English say it alone
    NOT_FOUND = ("見つかりません（{source}）", "{source}"),
    PERMISSION_DENIED = ("権限がありません（{source}）", "{source}"),
    STORAGE_FULL = ("保存先の空き容量がありません（USB メモリが満杯です）（{source}）", "{source}"),
    READ_ONLY_FILESYSTEM = ("読み取り専用のファイルシステムです（{source}）", "{source}"),
    ALREADY_EXISTS = ("既に存在します（{source}）", "{source}"),
    IO_ERROR = ("入出力エラー（{source}）", "{source}"),
    // config.rs
    FIELD = (" 項目 `{field}`:", " field `{field}`:"),
    NOT_UTF_8 = ("文字コードが UTF-8 ではありません（Shift-JIS で保存されていないか確認してください）", "not UTF-8 (was it saved as Shift-JIS?)"),
    TOML_SYNTAX_ERROR = ("TOML の書式の誤り", "TOML syntax error"),
    UNKNOWN_FIELD = ("不明な項目（綴りを確認してください）", "unknown field (check the spelling)"),
    WRONG_TYPE = ("値の型の誤り", "wrong type"),
    MISSING_REQUIRED_FIELD = ("必須項目がありません", "missing required field"),
    INVALID_VALUE = ("値が不正です", "invalid value"),
}
