//! Every word the cli area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

shodo::texts! {
    // analyze.rs
    EXTERNAL_CONNECTION_POINTS = ("外部との接続点:", "external connection points:"),
    RUN_COUNT = ("実行回数", "run count"),
    LAST_RUN = ("最終実行", "last run"),
    UNREADABLE = ("読めません", "unreadable"),
    FINDINGS = ("件の所見", "findings"),
    // backup.rs
    NOT_LISTED = ("載せていません", "not listed"),
    GENERATION_INTACT_CONSISTENT_UNENCRYPTED_DELTA_NORMAL = ("世代  完全 整合 暗号化なし 変化正常  日時", "generation  INTACT CONSISTENT UNENCRYPTED DELTA-NORMAL  time"),
    AFTER_THE_FIRST_COMPROMISE_SIGN = ("（侵害の兆候より後）", " (after the first compromise sign)"),
    FIRST_SIGN_OF_COMPROMISE = ("侵害の最初の兆候", "first sign of compromise"),
    BOUNDARY_FIRST_GENERATION_WITH_A_PROBLEM = ("境界（最初の問題のある世代）", "boundary (first generation with a problem)"),
    KEPT_IN_THE_CASE = ("ケースに記録しました", "kept in the case"),
    // bar.rs
    FILES = ("件", "files"),
    ETA = ("残り", "ETA"),
    // case.rs
    CASE_CREATED = ("ケースを作成しました:", "Case created:"),
    NOTE_NO_SHODO_TOML_FOUND_NO = ("注意: shodo.toml が見つからないため、病院情報なし・連絡先は同梱の既定値です（--config で指定）", "note: no shodo.toml found: no hospital identity, contacts are the shipped defaults (use --config)"),
    NOTE_TIME_OF_AWARENESS_NOT_SET = ("注意: 覚知日時が未確定です（--aware-at で指定）", "note: time of awareness not set (--aware-at)"),
    RECORDED = ("記録しました", "recorded"),
    NOTE = ("注意:", "note:"),
    // collect.rs
    NOTE_THIS_WINDOWS_IS_HIBERNATED_OR = ("注意: この Windows は休止状態（高速スタートアップ含む）です。メモリ上の情報が hiberfil.sys にあり、ファイルシステムは整合していない可能性があります。Windows を起動しないでください。", "note: this Windows is hibernated (or used Fast Startup): memory is in hiberfil.sys and the filesystem may be inconsistent. Do not boot Windows."),
    NOTE_THE_FILESYSTEM_CANNOT_BE_MOUNTED = ("注意: ファイルシステムをマウントできません。ファイルは収集できませんが、NTFS のメタデータ（$MFT など）はボリュームから直接収集します。", "note: the filesystem cannot be mounted; its files are not collected, but the NTFS metadata ($MFT …) is read raw from the volume."),
    NOTE_THE_NTFS_VOLUME_WAS_NOT = ("注意: NTFS が正常にアンマウントされていません（dirty）。", "note: the NTFS volume was not cleanly unmounted (dirty)."),
    MANIFEST_ROOT = ("マニフェストのルートハッシュ", "manifest root"),
    ROWS = ("行", "rows"),
    SKIPPED = ("未収集", "skipped"),
    // demo.rs
    MAKING_THE_DEMO_ENDPOINT_AND_BACKUP = ("デモの端末とバックアップを作成しています…", "making the demo endpoint and backup…"),
    DEMO_FINISHED = ("デモが完了しました", "demo finished"),
    REPORTS = ("報告書", "reports"),
    THE_CASE_AT_A_GLANCE = ("ケースの概要", "the case at a glance"),
    // export.rs
    STANDARD_OUTPUT = ("標準出力", "standard output"),
    // isolate.rs
    NO_ISOLATION_ON_RECORD = ("隔離の記録はありません", "no isolation on record"),
    SHEET_FOR_THE_NETWORK_TEAM = ("ネットワーク担当者への依頼票", "sheet for the network team"),
    OPEN_IT_IN_A_BROWSER_AND = ("ブラウザで開いて A4 で印刷してください", "open it in a browser and print it on A4"),
    // merge.rs
    NOT_MERGED = ("統合できません", "not merged"),
    FILES_2 = ("ファイル", "files"),
    NOT_ON_THE_SOURCES_RECORD_HASHED = ("統合元の記録にないファイル（ここでハッシュを記録）:", "not on the source's record (hashed here):"),
    // playbook.rs
    RECORD = ("記録:", "record:"),
    UNDO_RECORDED = ("取り消しを記録しました", "undo recorded"),
    RECORDED_AS_DONE = ("済みを記録しました", "recorded as done"),
    POSTER = ("掲示用ポスター", "poster"),
    CONTACTS_FROM = ("連絡先:", "contacts from"),
    // report.rs
    REPORTS_WRITTEN = ("報告書を作成しました:", "reports written:"),
    FILL_IN_WHAT_IS_UNDETERMINED_IN = ("未確定の項目はケースの incident.toml に記入して再実行してください", "fill in what is undetermined in the case's incident.toml and run again"),
    // scan.rs
    RULE_FILE_NOT_LOADED = ("ルールを読み込めません:", "rule file not loaded:"),
    SKIPPED_2 = ("未検査", "skipped"),
    MALFORMED_EXECUTABLE = ("不正な実行ファイル", "malformed executable"),
    EXECUTABLE = ("実行ファイル", "executable"),
    RANSOM_NOTE_NAME = ("身代金要求文の名前", "ransom-note name"),
    ENCRYPTED = ("暗号化", "encrypted"),
    NOT_SCANNING_THE_WHOLE_VOLUME_COLLECTED = ("ボリューム全体は検査しません（収集済みの証拠のみ）:", "not scanning the whole volume (collected evidence only):"),
    RANSOM_NOTE = ("身代金要求文:", "ransom note:"),
    FAMILY = ("攻撃グループ:", "family:"),
    FIRST_SUSPICIOUS_EXECUTABLE = ("最初の不審な実行ファイル:", "first suspicious executable:"),
    ENCRYPTION_WINDOW = ("暗号化の期間:", "encryption window:"),
    // selftest.rs
    OK = ("正常", "ok"),
    FAILED = ("異常", "FAILED"),
    // sources.rs
    NO_BLOCK_DEVICES_FOUND = ("ブロックデバイスが見つかりません", "no block devices found"),
    IMAGE = ("イメージ", "image"),
    REMOVABLE = ("取り外し可能", "removable"),
    READ_ONLY = ("読み取り専用", "read-only"),
    MOUNTED_AT = ("マウント先", "mounted at"),
    UNKNOWN = ("不明", "unknown"),
    HIBERNATED_OR_FAST_STARTUP_DO_NOT = ("休止状態（高速スタートアップ含む）: Windows を起動しないこと", "hibernated (or Fast Startup): do not boot Windows"),
    DIRTY = ("未クリーンアンマウント", "dirty"),
    // manual
    VERIFY_INTACT = ("検証結果: 問題なし — 記録 {entries} 行の連鎖と {files} 件のファイルのハッシュが一致{merged}", "verify: intact — chain of {entries} lines and {files} file hashes match{merged}"),
    VERIFY_MERGED_INTACT = ("（統合した {n} 件のケースの記録の連鎖も正常）", " (and the chains of {n} merged cases)"),
    VERIFY_FAILED = ("検証結果: 改ざん・欠落を検出（{n} 件）", "verify: FAILED ({n} problems)"),
    ANALYZED_ENDPOINT = ("端末 {endpoint}: イベントログ {logs} 件（読めなかった箇所 {problems}）、検出 {counts}、タイムライン {timeline} 件", "endpoint {endpoint}: {logs} event logs ({problems} unreadable parts), detections {counts}, timeline {timeline} entries"),
    CHECKLIST_COUNTS = ("チェックリスト（{version}）: 適合 {ok}、不適合 {ng}、判断不可 {unknown}（checklist.json）", "checklist ({version}): compliant {ok}, non-compliant {ng}, undetermined {unknown} (checklist.json)"),
    ANALYZED_LOG = ("{path}: {records} 件、読めなかった箇所 {problems}、検出 {detections}", "{path}: {records} records, {problems} unreadable parts, {detections} detections"),
    // manual (2)
    CHECK_INTACT = ("確認結果: 問題なし — ケース {case}、{members} ファイル（{bytes}）のハッシュが一覧と一致、記録 {entries} 行の連鎖が正常、記録にあるファイル {vouched} 件が一致{left_out}", "check: intact — case {case}, {members} files ({bytes}) match the listing, the chain of {entries} lines holds, {vouched} recorded files match{left_out}"),
    CHECK_NOT_EXPORTED = ("（書き出し対象外 {n} 件）", " ({n} not in this export)"),
    CHECK_FAILED = ("確認結果: 問題あり（{n} 件）— ケース {case}", "check: FAILED ({n} problems) — case {case}"),
    PASSPHRASE_HOLDER = ("パスフレーズを知る人", "passphrase"),
    EXPORTED = ("書き出しました: {shown}（{files} ファイル、{bytes}、暗号化後 {size}）\n  開ける人: {opened_by}\n  SHA-256: {sha256}\n  記録 {seq} 行目。相手先での復号: age -d -i 鍵ファイル {name} | tar x", "exported {shown} ({files} files, {bytes}, {size} encrypted)\n  opened by: {opened_by}\n  SHA-256: {sha256}\n  recorded on line {seq}. To decrypt: age -d -i KEYFILE {name} | tar x"),
    // manual (3)
    NAME_AND_CONTENT = ("名前と内容", "name and content"),
    NAME_ONLY = ("名前のみ", "name only"),
    SCANNED = ("検査 {scanned} 件 {bytes} バイト、検出 {hits} 件、未検査 {skipped} 件", "scanned {scanned} files, {bytes} bytes; {hits} hits; {skipped} skipped"),
    SCANNED_ENDPOINT = ("端末 {endpoint}: 検査 {scanned} 件、検出 {hits} 件、未検査 {skipped} 件 → findings.jsonl {findings} 件", "endpoint {endpoint}: scanned {scanned}, {hits} hits, {skipped} skipped → {findings} records in findings.jsonl"),
    STICK_FULL = ("USB メモリの空きがありません。収集済みの分は有効です（case verify で確認できます）。空きを作るか別のケースを用意し、同じコマンドを再実行すると続きから収集します。", "The stick is full. What was collected is valid (check with case verify). Free space or use another case, then run the same command again: it resumes."),
    COLLECTED = ("収集完了: 端末 {endpoint}（{os}）— {files} 件 {bytes} バイト、リンク {links} 件、アーカイブ {archives} 個{resumed}", "collected: endpoint {endpoint} ({os}) — {files} files, {bytes} bytes, {links} links, {archives} archives{resumed}"),
    RESUMED = ("（再開）", " (resumed)"),
    LAST_CLEAN_GENERATION = ("最後のクリーンな世代: {generation}", "last clean generation: {generation}"),
    NO_CLEAN_GENERATION = ("クリーンな世代はありません", "no clean generation"),
    BASELINE_WRITTEN = ("{manifest} にベースラインを書きました: {files} ファイル、{bytes} バイト、ルートハッシュ {root}（監査: cd 媒体 && {audit}）", "baseline written to {manifest}: {files} files, {bytes} bytes, root {root} (audit: cd MEDIUM && {audit})"),
    BACKUP_READ = ("{source}: {files} ファイル、{bytes} バイトを読み取りました（書き込みなし）", "{source}: read {files} files, {bytes} bytes (nothing written)"),
    // manual (4)
    ISOLATED = ("隔離中", "isolated"),
    RELEASED = ("解除済み", "released"),
    COPIED = ("複写", "copied"),
    KEPT_APART = ("同名の別の証拠があるため {to} に分けて複写", "kept apart as {to} (the case holds other evidence by that name)"),
    ALREADY_PRESENT = ("既に同じ内容あり", "already present"),
    SAME_ID = ("同じ端末名で内容が異なる", "same id, other evidence"),
    SAME_HOSTNAME = ("ホスト名が同じ", "same host name"),
    SAME_DISK_SERIAL = ("ディスクのシリアル番号が同じ", "same disk serial"),
    MAYBE_SAME_ENDPOINT = ("  確認: {endpoint} は {other} と同じ端末の可能性があります（{why}）。別々に保存しています", "  check: {endpoint} may be the same machine as {other} ({why}); both are kept"),
    MERGED_BEFORE = ("{source}（ケース {case}、記録 {lines} 行まで）は統合済みです（{seq} 行目）。何もしていません", "{source} (case {case}, record up to line {lines}) was merged before (line {seq}); nothing done"),
    MERGED = ("統合しました: {source}（ケース {case}、記録 {lines} 行、検証済み）→ 記録 {seq} 行目。統合元の記録は {log_dir} に保存", "merged {source} (case {case}, {lines} lines, verified) on line {seq}; its own record is kept in {log_dir}"),
    // mod.rs
    ERROR = ("エラー", "error"),
    // scan.rs (values filled in)
    WHOLE_VOLUME_SCANNED = ("  ボリューム全体: {scanned} 件を追加で検査、検出 {hits} 件", "  whole volume: {scanned} more files scanned, hits {hits}"),
}
