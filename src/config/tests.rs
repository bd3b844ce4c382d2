use std::path::Path;

use super::*;
use crate::error::Error;

fn parse(text: &str) -> Result<Config> {
    Config::parse(Path::new("shodo.toml"), text)
}

fn config_error(text: &str) -> ConfigError {
    match parse(text) {
        Err(Error::Config(e)) => *e,
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn shipped_example_is_valid() {
    let text = include_str!("../../shodo.example.toml");
    let cfg = parse(text).unwrap();
    assert_eq!(cfg.hospital.beds, Some(199));
    assert_eq!(cfg.isolation.keep.len(), 2);
    assert_eq!(cfg.recipients.len(), 1);
}

#[test]
fn shipped_defaults_are_valid_and_dated() {
    let d = default_contacts().unwrap();
    assert!(d.contains_key("mhlw") && d.contains_key("jma"));
    assert!(d.values().all(|c| !c.source.is_empty()));
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = config_error("[hospital]\nname = \"A病院\"\nbeds = = 3\n");
    assert_eq!(e.kind, ConfigErrorKind::Syntax);
    assert_eq!(e.line, 3);
    assert!(e.column >= 6, "{e}");
}

#[test]
fn wrong_type_names_the_field() {
    let e = config_error("[hospital]\nname = \"A病院\"\nbeds = \"たくさん\"\n");
    assert_eq!(e.kind, ConfigErrorKind::WrongType);
    assert_eq!(e.field.as_deref(), Some("hospital.beds"));
    assert_eq!((e.line, e.column), (3, 8));
    assert!(e.ja().contains("値の型の誤り"));
    assert!(e.to_string().contains("wrong type"));
}

#[test]
fn unknown_field_is_refused_with_its_name() {
    let e = config_error("[hospital]\nname = \"A病院\"\nbed = 3\n");
    assert_eq!(e.kind, ConfigErrorKind::UnknownField);
    assert_eq!(e.line, 3);
    assert!(e.detail.contains("bed"), "{e}");
}

#[test]
fn missing_required_field_is_named() {
    let e = config_error("[hospital]\nfounder = \"○○市\"\n");
    assert_eq!(e.kind, ConfigErrorKind::MissingField);
    assert_eq!(e.field.as_deref(), Some("hospital.name"));
}

#[test]
fn bad_management_address_points_at_its_line() {
    let text = "[hospital]\nname = \"A\"\n\n[[isolation.keep]]\naddress = \"192.0.2.10\"\n";
    let e = config_error(text);
    assert_eq!(e.kind, ConfigErrorKind::InvalidValue);
    assert_eq!(e.field.as_deref(), Some("isolation.keep[0].address"));
    assert_eq!(e.line, 5);
    assert!(e.detail.contains("IP:port"));
}

#[test]
fn column_counts_characters_not_bytes() {
    let e = config_error("[hospital]\nname = \"病院\"; beds = 1\n");
    assert_eq!(e.line, 2);
    assert_eq!(e.column, 12, "{e}");
}

#[test]
fn shift_jis_file_is_an_encoding_error() {
    // "病院" in Shift-JIS.
    let bytes = b"[hospital]\nname = \"\x95\x61\x89\x40\"\n";
    match error::decode_utf8(Path::new("x.toml"), bytes) {
        Err(Error::Config(e)) => {
            assert_eq!(e.kind, ConfigErrorKind::Encoding);
            assert_eq!((e.line, e.column), (2, 9));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn configured_contact_wins_and_defaults_say_so() {
    let cfg = parse("[hospital]\nname = \"A\"\n[contacts.jma]\nname = \"自院で確認した窓口\"\n").unwrap();
    let eff = cfg.effective_contacts().unwrap();
    let jma = eff.iter().find(|c| c.role == ContactRole::Jma).unwrap();
    assert_eq!(jma.origin, Origin::Configured);
    let mhlw = eff.iter().find(|c| c.role == ContactRole::Mhlw).unwrap();
    assert!(matches!(mhlw.origin, Origin::Default { .. }));
    let vendor = eff.iter().find(|c| c.role == ContactRole::Vendor).unwrap();
    assert_eq!(vendor.origin, Origin::Unset);
}
