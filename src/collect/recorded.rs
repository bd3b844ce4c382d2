//! The source an endpoint was collected from, as its `endpoint.json` recorded it, and whether the
//! volume attached now is that same one: the scan of the whole volume and the offline isolation
//! both need it before they touch anything.

use std::path::Path;

use serde_json::Value;

use crate::case::layout;

/// The endpoint's volume opened read-only for a scan, when its source is attached and is the
/// same volume as collected from; otherwise why not. `spec` and `partition` override what
/// endpoint.json recorded.
pub fn open_recorded_volume(
    case_dir: &Path,
    endpoint: &str,
    spec: Option<&Path>,
    partition: Option<u32>,
    key: Option<&crate::source::RecoveryKey>,
) -> std::result::Result<(crate::source::Opened, Value), VolumeError> {
    let recorded = recorded_source(case_dir, endpoint);
    let Some(spec) = spec.map(Path::to_path_buf).or_else(|| recorded.as_ref().map(|r| r.0.clone())) else {
        return Err(VolumeError::NoSource);
    };
    if !spec.exists() {
        return Err(VolumeError::NotAttached { source_path: spec });
    }
    let partition = partition.or_else(|| recorded.as_ref().and_then(|r| r.2));
    let opened = match crate::source::open(&spec, partition, key) {
        Ok(opened) => opened,
        Err(e) => return Err(VolumeError::Open { source_path: spec, why: e.to_string() }),
    };
    if let Some(why) = opened.mount_error.clone() {
        return Err(VolumeError::Open { source_path: spec, why });
    }
    let describe = opened.describe();
    if let Some((_, then, _)) = &recorded {
        same_volume(then, &describe)?;
    }
    Ok((opened, describe))
}

/// The source an endpoint was collected from, how its volume was opened then (`endpoint.json`),
/// and the partition number it was on.
pub fn recorded_source(case_dir: &Path, endpoint: &str) -> Option<(std::path::PathBuf, Value, Option<u32>)> {
    let file = layout::endpoint_dir(case_dir, endpoint).join(layout::ENDPOINT_FILE);
    let json: Value = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    let source = json["source"].as_str()?.into();
    let volume = json["volume"].clone();
    let partition = volume["device"].as_str().and_then(partition_number);
    Some((source, volume, partition))
}

/// The partition number in a device name (`loop3p2`, `nvme0n1p3`, `sda2`); none for a whole disk.
fn partition_number(device: &str) -> Option<u32> {
    let name = device.rsplit('/').next()?;
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    let partitioned = if stem.starts_with("loop") || stem.starts_with("nvme") || stem.starts_with("mmcblk") {
        stem.strip_suffix('p').is_some_and(|s| s.ends_with(|c: char| c.is_ascii_digit()))
    } else {
        ["sd", "vd", "hd", "xvd"].iter().any(|p| stem.starts_with(p))
    };
    if partitioned { number.parse().ok() } else { None }
}

/// Why the volume an endpoint was collected from cannot be read again now.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VolumeError {
    /// Neither the operator nor `endpoint.json` names a source.
    #[error("endpoint.json names no source")]
    NoSource,
    /// The source is not there (the disk is not attached).
    #[error("{} is not attached", source_path.display())]
    NotAttached { source_path: std::path::PathBuf },
    /// The source is there and could not be opened or mounted.
    #[error("{}: {why}", source_path.display())]
    Open { source_path: std::path::PathBuf, why: String },
    /// Another volume is attached where the evidence came from.
    #[error("a different volume is attached there now ({what} {now}, collected from {then})")]
    Different { what: &'static str, now: String, then: String },
}

/// Whether the volume opened now is the one the evidence was collected from: the NTFS serial
/// number and the disk's serial, wherever both were recorded, must agree.
pub fn same_volume(then: &Value, now: &Value) -> std::result::Result<(), VolumeError> {
    for (what, pointer) in [("NTFS volume serial", "/ntfs/serial"), ("disk serial", "/disk/serial")] {
        if let (Some(a), Some(b)) =
            (then.pointer(pointer).and_then(Value::as_str), now.pointer(pointer).and_then(Value::as_str))
            && a != b
        {
            return Err(VolumeError::Different { what, now: b.to_string(), then: a.to_string() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_different_serial_is_a_different_volume() {
        let then = json!({ "ntfs": { "serial": "0011" }, "disk": { "serial": null } });
        assert!(same_volume(&then, &json!({ "ntfs": { "serial": "0011" } })).is_ok());
        assert!(same_volume(&then, &json!({ "ntfs": { "serial": "0022" } })).unwrap_err().to_string().contains("0022"));
        assert!(same_volume(&json!({}), &json!({ "ntfs": { "serial": "0022" } })).is_ok());
    }

    #[test]
    fn partition_numbers_from_device_names() {
        assert_eq!(partition_number("/dev/loop3p2"), Some(2));
        assert_eq!(partition_number("/dev/loop3"), None);
        assert_eq!(partition_number("/dev/nvme0n1p3"), Some(3));
        assert_eq!(partition_number("/dev/nvme0n1"), None);
        assert_eq!(partition_number("/dev/sda2"), Some(2));
        assert_eq!(partition_number("/dev/sda"), None);
    }
}
