//! Every word the backup area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // verify.rs
    UNENCRYPTED_IS_NOT_MALWARE_FREE = ("「暗号化されていない」は「マルウェアを含まない」という意味ではありません。復元したデータは、攻撃者が残したプログラムや設定を含むことがあるため、復元前にスキャンしてください。", "Unencrypted is not the same as malware-free: a restored generation may hold what the attacker left; scan it before restoring."),
    NO_BASELINE = ("ベースラインなし: 完全性は確認できていません", "no baseline: integrity not established"),
    BASELINE_WAS_EDITED = ("ベースライン {path} は作成後に書き換えられています", "baseline {path} was edited after it was made"),
    FILES_DIFFER_FROM_THE_BASELINE = ("{n} ファイルがベースラインと異なります: {examples}", "{n} files differ from the baseline: {examples}"),
    DAMAGED = ("{format} が壊れています{at}: {path} ({why})", "{format} damaged{at}: {path} ({why})"),
    AT_BYTE = ("（{position} バイト目）", " at byte {position}"),
    FILES_UNREADABLE = ("{n} ファイルが読めません（例: {example}）", "{n} files unreadable, e.g. {example}"),
    FILES_LOOK_ENCRYPTED = ("{n} ファイルに暗号化の兆候: {examples}", "{n} files look encrypted: {examples}"),
    RANSOM_NOTES_BY_NAME = ("身代金要求文の名前のファイル {n} 件: {examples}", "{n} ransom notes by name: {examples}"),
    FILES_ARE_GONE = ("{previous} の {total} ファイルのうち {deleted} ファイルが消えています（大量削除）", "{deleted} of {total} files of {previous} are gone (mass deletion)"),
    FILES_RENAMED_WITH_AN_ADDED_EXTENSION = ("{previous} 以降、{renamed} ファイルが拡張子を付け足して改名されています（大量改名）", "{renamed} files renamed with an added extension since {previous} (mass rename)"),
    RANDOM_LOOKING_FILES_ROSE = ("{previous} から、ランダムに見えるファイルが {was} から {now} に増えています", "random-looking files rose from {was} to {now} since {previous}"),
}
