//! Every word the export area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // mod.rs
    STANDARD_OUTPUT_IS_A_TERMINAL = ("標準出力が画面です。--out - はパイプ（| ssh …、| age -d …）かファイルへのリダイレクトに使ってください", "standard output is a terminal; use --out - with a pipe (| ssh …) or a redirection"),
    IS_INSIDE_THE_CASE = ("書き出し先 {path} はケースの中です。ケースの外（別のフォルダ・別の媒体）を指定してください", "{path} is inside the case; write the archive outside it"),
    NO_ENDPOINT_IN_THIS_CASE = ("端末 {id} はこのケースにありません（あるもの: {all}）", "no endpoint {id} in this case (it has: {all})"),
    CANNOT_SET_UP_THE_ENCRYPTION = ("暗号化の準備ができません: {error}", "cannot set up the encryption: {error}"),
    THE_PUBLIC_KEY_CANNOT_BE_READ = ("{name} の公開鍵を読めません: {error}", "the public key of {name} cannot be read: {error}"),
    // check.rs
    THE_IDENTITY_FILE_CANNOT_BE_READ = ("鍵ファイル {path} を読めません: {error}", "the identity file {path} cannot be read: {error}"),
    NONE_OF_THE_GIVEN_KEYS_OPENS = ("指定の鍵ではこのアーカイブを開けません（宛先の鍵ではありません）", "none of the given keys opens this archive (it was not encrypted to them)"),
    DECRYPTION_FAILED = ("復号できません（パスフレーズの誤りか、アーカイブの破損）", "decryption failed (wrong passphrase, or the archive is damaged)"),
    NOT_READABLE_AS_AN_AGE_FILE = ("age 形式として読めません: {error}", "not readable as an age file: {error}"),
    ENCRYPTED_TO_PUBLIC_KEYS = ("公開鍵あてに暗号化されています。--identity で鍵ファイルを指定してください", "it is encrypted to public keys: give --identity FILE"),
    ENCRYPTED_WITH_A_PASSPHRASE = ("パスフレーズで暗号化されています。--passphrase を指定してください", "it is encrypted with a passphrase: give --passphrase"),
    A_MEMBER_WITH_AN_UNSAFE_NAME = ("アーカイブに危険な名前のメンバーがあります: {name}", "the archive holds a member with an unsafe name: {name}"),
    DAMAGED_AT_MEMBER = ("{n} 番目のメンバーでアーカイブが壊れています（切り詰めまたは改変）: {error}", "the archive is damaged at member {n} (truncated or altered): {error}"),
    THE_LISTING_IS_MISSING = ("{listing}（内容一覧）がありません: 書き出しが途中で終わったアーカイブです", "{listing} (the listing) is missing: the archive was not finished"),
    CANNOT_BE_READ = ("{file} を読めません: {error}", "{file} cannot be read: {error}"),
    DOES_NOT_MATCH_THE_LISTING = ("{name} のハッシュが一覧と一致しません（一覧 {listed}、実際 {sha}）", "{name} does not match the listing (listed {listed}, found {sha})"),
    A_MEMBER_THE_LISTING_DOES_NOT_NAME = ("{name} は一覧にないメンバーです", "{name} is a member the listing does not name"),
    LISTED_BUT_NOT_IN_THE_ARCHIVE = ("一覧にある {path} がアーカイブにありません", "{path} is listed but not in the archive"),
    NOT_IN_THE_ARCHIVE = ("{file} がアーカイブにありません", "{file} is not in the archive"),
    DIFFERS_FROM_THE_HEAD_AT_EXPORT = ("{file} が一覧に記録された書き出し時の値と一致しません", "{file} differs from the head the listing recorded at export"),
    DOES_NOT_MATCH_THE_CUSTODY_LINE = ("{path} が記録 {n} 行目のハッシュと一致しません（記録 {recorded}、実際 {sha}）", "{path} does not match line {n} of the custody log (recorded {recorded}, found {sha})"),
    MISSING_FROM_A_WHOLE_CASE_EXPORT = ("記録 {n} 行目が記録した {path} がケース全体の書き出しに含まれていません", "{path}, recorded on line {n}, is missing from a whole-case export"),
}
