//! The two languages of every user-facing text: Japanese first, English available.

use std::fmt;
use std::str::FromStr;

/// A user-facing language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// 日本語 — the default.
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// The other language (for a toggle).
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// Short code: `ja` or `en`.
    pub fn code(self) -> &'static str {
        self.pick("ja", "en")
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ja" | "jp" | "japanese" | "日本語" => Ok(Lang::Ja),
            "en" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (ja | en)")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One user-facing text in both languages, kept in an area's `strings.rs` catalogue so a translator
/// or a reviewer reads every word of that area in one file. `{name}` marks a value filled in at run
/// time by [`Text::fill`]; both languages name the same values (a test checks it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// 日本語.
    pub ja: &'static str,
    /// English.
    pub en: &'static str,
}

impl Text {
    /// A text in both languages.
    pub const fn new(ja: &'static str, en: &'static str) -> Text {
        Text { ja, en }
    }

    /// The text in this language, as written.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }

    /// The text in this language with each `{name}` replaced by its value. A name the text does
    /// not hold is ignored; a `{name}` no value is given for stays as written (and shows).
    pub fn fill(self, lang: Lang, values: &[(&str, &dyn fmt::Display)]) -> String {
        let template = self.get(lang);
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name = after.find('}').map(|close| &after[..close]).filter(|n| is_name(n));
            match name.and_then(|n| values.iter().find(|(k, _)| *k == n).map(|(_, v)| (n, v))) {
                Some((n, v)) => {
                    out.push_str(&v.to_string());
                    rest = &after[n.len() + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The text in both languages, each filled with the values `values` gives for that language
    /// (an error's message in it, a word of it): a message kept to be shown in either.
    pub fn both(self, values: impl Fn(Lang) -> Vec<(&'static str, String)>) -> (String, String) {
        let one = |lang: Lang| {
            let owned = values(lang);
            let shown: Vec<(&str, &dyn fmt::Display)> =
                owned.iter().map(|(k, v)| (*k, v as &dyn fmt::Display)).collect();
            self.fill(lang, &shown)
        };
        (one(Lang::Ja), one(Lang::En))
    }

    /// The `{name}`s of one language's text, in order of first use.
    pub fn placeholders(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(name) = rest.find('}').map(|close| &rest[..close]).filter(|n| is_name(n))
                && !out.contains(&name)
            {
                out.push(name);
            }
        }
        out
    }

    /// Why this text is not a whole translation, if it is not: a language empty, the two naming
    /// different values, Japanese without a Japanese character (unless both are written the
    /// same, as a technical term is), or English holding Japanese it does not also show in the
    /// Japanese text.
    pub fn missing(self) -> Option<&'static str> {
        let japanese = |s: &str| s.chars().any(is_japanese);
        let mut ja_names = Text::placeholders(self.ja);
        let mut en_names = Text::placeholders(self.en);
        ja_names.sort_unstable();
        en_names.sort_unstable();
        if self.ja.trim().is_empty() || self.en.trim().is_empty() {
            Some("a language is empty")
        } else if ja_names != en_names {
            Some("the languages fill in different values")
        } else if !japanese(self.ja) && self.ja != self.en && self.ja.chars().any(|c| c.is_ascii_alphabetic()) {
            Some("the Japanese text has no Japanese in it")
        } else if self.ja == self.en && japanese(self.en) {
            Some("the English text is the Japanese one")
        } else if self.en.chars().filter(|c| is_japanese(*c)).any(|c| !self.ja.contains(c)) {
            Some("the English text holds Japanese")
        } else {
            None
        }
    }
}

/// A value's name inside `{…}`: lower-case ASCII letters, digits and `_`, not starting with a digit.
fn is_name(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Hiragana, katakana (full and half width), CJK ideographs and the Japanese punctuation block.
pub fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// Declares an area's catalogue of texts: one `pub const NAME: Text` per entry, and (in tests)
/// `ALL`, every entry by name, which the translation test walks.
///
/// ```
/// shodo::texts! {
///     /// The case summary's heading.
///     CASE_AT_A_GLANCE = ("ケース概要", "Case at a glance"),
/// }
/// assert_eq!(CASE_AT_A_GLANCE.get(shodo::Lang::En), "Case at a glance");
/// ```
#[macro_export]
macro_rules! texts {
    ($($(#[$meta:meta])* $name:ident = ($ja:expr, $en:expr $(,)?)),* $(,)?) => {
        $($(#[$meta])* pub const $name: $crate::lang::Text = $crate::lang::Text::new($ja, $en);)*
        /// Every text of this catalogue, by name.
        #[cfg(test)]
        pub const ALL: &[(&str, $crate::lang::Text)] = &[$((stringify!($name), $name)),*];

        #[cfg(test)]
        mod translated {
            /// A missing or half translation in this catalogue fails here, by name.
            #[test]
            fn every_text_has_both_languages() {
                let missing: Vec<String> = super::ALL
                    .iter()
                    .filter_map(|(name, text)| text.missing().map(|why| format!("{name}: {why} ({text:?})")))
                    .collect();
                assert!(missing.is_empty(), "texts not translated:\n{}", missing.join("\n"));
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_values_and_keeps_the_rest() {
        let t = Text::new("{id} の計画（{n} 件）{x} {", "plan for {id} ({n}) {x} {");
        assert_eq!(t.fill(Lang::Ja, &[("id", &"PC-1"), ("n", &3)]), "PC-1 の計画（3 件）{x} {");
        assert_eq!(t.fill(Lang::En, &[("n", &3), ("id", &"PC-1"), ("unused", &0)]), "plan for PC-1 (3) {x} {");
        assert_eq!(Text::placeholders("{a}{b}{a}{Not}{}"), vec!["a", "b"]);
        let said = Text::new("失敗: {error}（{n}）", "failed: {error} ({n})")
            .both(|lang| vec![("error", lang.pick("壊れています", "broken").to_string()), ("n", 2.to_string())]);
        assert_eq!(said, ("失敗: 壊れています（2）".to_string(), "failed: broken (2)".to_string()));
    }

    #[test]
    fn a_missing_translation_is_named() {
        assert_eq!(Text::new("病院", "Hospital").missing(), None);
        assert_eq!(Text::new("SHA-256", "SHA-256").missing(), None);
        assert!(Text::new("", "Hospital").missing().is_some());
        assert!(Text::new("Hospital", "Hospitals").missing().is_some());
        assert_eq!(Text::new("○", "yes").missing(), None);
        assert!(Text::new("{id} の計画", "plan").missing().is_some());
        assert!(Text::new("病院", "病院").missing().is_some());
        assert_eq!(Text::new("厚生労働省への報告", "Report to 厚生労働省").missing(), None);
    }
}
