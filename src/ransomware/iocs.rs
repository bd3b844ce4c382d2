//! Contact points in ransom notes — .onion addresses, e-mail, Tox IDs, Bitcoin and Monero
//! wallets, other URLs — which become IOCs for the police package and STIX bundle.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// The most of each kind kept from one note.
const MAX_EACH: usize = 50;

/// What a note gives away.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Iocs {
    /// Tor v3 addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub onion: Vec<String>,
    /// E-mail addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email: Vec<String>,
    /// Tox IDs (76 hex digits).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tox: Vec<String>,
    /// Bitcoin addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub btc: Vec<String>,
    /// Monero addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub xmr: Vec<String>,
    /// Other URLs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub url: Vec<String>,
}

impl Iocs {
    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.onion.is_empty()
            && self.email.is_empty()
            && self.tox.is_empty()
            && self.btc.is_empty()
            && self.xmr.is_empty()
            && self.url.is_empty()
    }
}

fn re(pattern: &str) -> Regex {
    crate::bundled::fixed(pattern)
}

/// Compiles every pattern of this file (see [`crate::selftest::bundled_data`]).
pub(crate) fn force_patterns() {
    [&ONION, &EMAIL, &TOX, &BTC, &XMR, &URL].into_iter().for_each(|p| {
        LazyLock::force(p);
    });
}

static ONION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b[a-z2-7]{56}\.onion\b"));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"));
static TOX: LazyLock<Regex> = LazyLock::new(|| re(r"\b[0-9A-Fa-f]{76}\b"));
static BTC: LazyLock<Regex> = LazyLock::new(|| re(r"\b(bc1[ac-hj-np-z02-9]{25,87}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b"));
static XMR: LazyLock<Regex> = LazyLock::new(|| re(r"\b[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b"));
static URL: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)\bhttps?://[^\s"'<>\)\]]+"#));

/// Reads the note as text (any encoding `formats::text` reads) and pulls out its contact points.
pub fn extract(bytes: &[u8]) -> Iocs {
    extract_text(&decode(bytes))
}

/// The contact points of a text.
pub fn extract_text(text: &str) -> Iocs {
    let all = |r: &Regex| -> Vec<String> {
        let set: BTreeSet<String> = r.find_iter(text).map(|m| m.as_str().to_string()).collect();
        set.into_iter().take(MAX_EACH).collect()
    };
    let onion = all(&ONION).into_iter().map(|s| s.to_lowercase()).collect::<BTreeSet<_>>().into_iter().collect();
    let url = all(&URL).into_iter().filter(|u| !u.to_lowercase().contains(".onion")).collect();
    Iocs { onion, email: all(&EMAIL), tox: all(&TOX), btc: all(&BTC), xmr: all(&XMR), url }
}

/// A note's bytes as text: its surest reading (a byte-order mark, UTF-16, UTF-8, a legacy code
/// page; HTML and RTF as the text they show), else UTF-8 with replacements.
pub fn decode(bytes: &[u8]) -> String {
    match crate::formats::text::readings(bytes).into_iter().next() {
        Some(r) => r.text,
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_points_are_pulled_out() {
        let onion = "b".repeat(56);
        let tox = "A1".repeat(38);
        let note = format!(
            "Visit http://{onion}.onion/chat or write to recover@proton.me.\nTox: {tox}\nPay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\nhttps://example.org/faq"
        );
        let i = extract(note.as_bytes());
        assert_eq!(i.onion, vec![format!("{onion}.onion")]);
        assert_eq!(i.email, vec!["recover@proton.me".to_string()]);
        assert_eq!(i.tox, vec![tox]);
        assert_eq!(i.btc, vec!["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq".to_string()]);
        assert_eq!(i.url, vec!["https://example.org/faq".to_string()]);
    }

    #[test]
    fn utf16_notes_are_read() {
        let bytes: Vec<u8> = "contact: help@decrypt.example".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(extract(&bytes).email, vec!["help@decrypt.example".to_string()]);
    }

    #[test]
    fn plain_text_has_none() {
        assert!(extract("議事録: 次回は月曜日".as_bytes()).is_empty());
    }
}
