//! Config values validated as they are read, so a bad one is reported at its own line.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::config::strings as txt;
use crate::lang::Text;

/// A value that does not read, said in both languages at once (a parse error carries one text):
/// `raw` as typed, quoted.
fn not_read(text: Text, raw: &str) -> String {
    let (ja, en) = text.both(|_| vec![("raw", format!("{raw:?}"))]);
    format!("{ja} / {en}")
}

/// A telephone number as a person dials it (`03-3595-2430`, `0120-179-066`, `110`, `#9110`).
/// Full-width digits and hyphens, as typed on a Japanese keyboard, are accepted and normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        let normal: String = raw.trim().chars().map(halfwidth).collect();
        let allowed = |c: char| c.is_ascii_digit() || "-+() #".contains(c);
        let digits = normal.chars().filter(char::is_ascii_digit).count();
        if normal.chars().all(allowed) && digits >= 3 {
            Ok(Phone(normal))
        } else {
            Err(not_read(txt::NOT_A_TELEPHONE_NUMBER, &raw))
        }
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn halfwidth(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' | 'ー' | '‐' | '―' | '−' => '-',
        '（' => '(',
        '）' => ')',
        '＋' => '+',
        '＃' => '#',
        '　' => ' ',
        _ => c,
    }
}

/// A pinned management endpoint: one IP address and one port, IPv4 or IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ManagementAddr(pub SocketAddr);

impl TryFrom<String> for ManagementAddr {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        match SocketAddr::from_str(raw.trim()) {
            Ok(a) if a.port() != 0 && !a.ip().is_unspecified() => Ok(ManagementAddr(a)),
            _ => Err(not_read(txt::A_MANAGEMENT_ADDRESS_MUST_BE_ONE_PAIR, &raw)),
        }
    }
}

impl From<ManagementAddr> for String {
    fn from(a: ManagementAddr) -> String {
        a.0.to_string()
    }
}

/// An age X25519 recipient (`age1…`, Bech32 with a valid checksum and a 32-byte key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgeRecipient(String);

impl AgeRecipient {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgeRecipient {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        let key = raw.trim().to_ascii_lowercase();
        match bech32_decode(&key) {
            Some((hrp, data)) if hrp == "age" && data.len() == 32 => Ok(AgeRecipient(key)),
            _ => Err(not_read(txt::NOT_AN_AGE_PUBLIC_KEY, &raw)),
        }
    }
}

impl From<AgeRecipient> for String {
    fn from(a: AgeRecipient) -> String {
        a.0
    }
}

const BECH32_CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Decodes Bech32 (BIP-173) into its human-readable part and 8-bit payload.
fn bech32_decode(s: &str) -> Option<(String, Vec<u8>)> {
    let sep = s.rfind('1')?;
    let (hrp, rest) = (&s[..sep], &s[sep + 1..]);
    if hrp.is_empty() || rest.len() < 6 {
        return None;
    }
    let values: Vec<u8> = rest.chars().map(|c| BECH32_CHARSET.find(c).map(|i| i as u8)).collect::<Option<_>>()?;
    let mut check: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    check.push(0);
    check.extend(hrp.bytes().map(|b| b & 31));
    check.extend(&values);
    if polymod(&check) != 1 {
        return None;
    }
    let payload = regroup_5_to_8(&values[..values.len() - 6])?;
    Some((hrp.to_string(), payload))
}

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    values.iter().fold(1u32, |chk, &v| {
        let top = chk >> 25;
        let chk = ((chk & 0x1ffffff) << 5) ^ u32::from(v);
        GEN.iter().enumerate().filter(|(i, _)| (top >> i) & 1 == 1).fold(chk, |c, (_, g)| c ^ g)
    })
}

fn regroup_5_to_8(values: &[u8]) -> Option<Vec<u8>> {
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for &v in values {
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover padding must be fewer than 5 bits and all zero.
    (bits < 5 && acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A recipient from age's own documentation.
    const AGE_DOC_KEY: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    #[test]
    fn age_key_from_the_age_docs_is_accepted() {
        assert!(AgeRecipient::try_from(AGE_DOC_KEY.to_string()).is_ok());
    }

    #[test]
    fn age_key_with_one_changed_character_is_refused() {
        let bad = AGE_DOC_KEY.replace("ql3z", "ql4z");
        assert!(AgeRecipient::try_from(bad).is_err());
    }

    #[test]
    fn fullwidth_phone_is_normalised() {
        let p = Phone::try_from("０３－３５９５－２４３０".to_string()).unwrap();
        assert_eq!(p.as_str(), "03-3595-2430");
    }

    #[test]
    fn phone_with_letters_is_refused() {
        assert!(Phone::try_from("call Tanaka".to_string()).is_err());
    }

    #[test]
    fn management_address_needs_a_port() {
        assert!(ManagementAddr::try_from("192.0.2.10".to_string()).is_err());
        assert!(ManagementAddr::try_from("[2001:db8::10]:443".to_string()).is_ok());
        assert!(ManagementAddr::try_from("0.0.0.0:22".to_string()).is_err());
    }
}
