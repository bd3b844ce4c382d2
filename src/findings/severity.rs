//! How serious a finding is, ordered, so "high or worse" is one comparison everywhere.

use crate::findings::strings as txt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// How serious a finding is, from least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context, no concern by itself.
    Info,
    /// Worth a look.
    Low,
    /// A concern.
    Medium,
    /// Likely the attacker's doing.
    High,
    /// The attack itself (encryption, shadow copies deleted, logs cleared …).
    Critical,
}

impl Severity {
    /// Every severity, least first.
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The severity named `name` (as written in the records and the rules).
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Its name in the records and the rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Its name for a reader: 重大 / 高 / 中 / 低 / 情報, or the English name.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Severity::Info => txt::INFO.get(lang),
            Severity::Low => txt::LOW.get(lang),
            Severity::Medium => txt::MEDIUM.get(lang),
            Severity::High => txt::HIGH.get(lang),
            Severity::Critical => txt::CRITICAL.get(lang),
        }
    }

    /// High or critical: a sign of the attack, counted in the verdict and the reports.
    pub fn is_serious(self) -> bool {
        self >= Severity::High
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_holds() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert!(Severity::Critical > Severity::High && Severity::High > Severity::Medium);
        assert!(Severity::High.is_serious() && !Severity::Medium.is_serious());
        assert_eq!(Severity::parse("High"), None);
        assert_eq!((Severity::Critical.label(Lang::Ja), Severity::Critical.label(Lang::En)), ("重大", "critical"));
    }
}
