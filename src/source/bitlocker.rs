//! BitLocker volumes unlocked read-only with the recovery password the hospital escrowed:
//! `cryptsetup open --type bitlk --readonly` (maintained), dislocker as the fallback. The
//! password is never written anywhere, logged, or shown.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::attach::Loop;
use crate::error::{BitLockerReason as Reason, Error, Result};

/// A BitLocker recovery password: eight groups of six digits, each a multiple of 11.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(String);

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

impl RecoveryKey {
    /// Checks the format (catches a mistyped digit before anything touches the volume).
    pub fn parse(text: &str) -> Result<RecoveryKey> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let groups: Vec<&str> = (0..digits.len()).step_by(6).filter_map(|i| digits.get(i..i + 6)).collect();
        let valid = digits.len() == 48
            && digits.chars().all(|c| c.is_ascii_digit())
            && groups.iter().all(|g| g.parse::<u32>().is_ok_and(|n| n % 11 == 0 && n < 720_896));
        if valid { Ok(RecoveryKey(groups.join("-"))) } else { Err(bitlocker_error(Path::new("-"), Reason::KeyFormat)) }
    }
}

pub(crate) fn bitlocker_error(path: &Path, reason: Reason) -> Error {
    Error::BitLocker { path: path.to_path_buf(), reason }
}

/// An unlocked view of a BitLocker volume; closed when dropped.
#[derive(Debug)]
pub struct Unlocked {
    /// The decrypted volume, read-only.
    pub device: PathBuf,
    /// `cryptsetup` or `dislocker`.
    pub method: &'static str,
    mapping: Option<String>,
    fuse_dir: Option<PathBuf>,
    _loop: Option<Loop>,
}

impl Drop for Unlocked {
    fn drop(&mut self) {
        self._loop.take();
        if let Some(name) = &self.mapping {
            let _ = Command::new("cryptsetup").args(["close", name]).stderr(Stdio::null()).status();
        }
        if let Some(dir) = &self.fuse_dir {
            let _ = Command::new("umount").arg(dir).stderr(Stdio::null()).status();
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Unlocks `device` read-only with `key`: cryptsetup first, dislocker if cryptsetup cannot.
pub fn unlock(device: &Path, key: &RecoveryKey) -> Result<Unlocked> {
    let first = match cryptsetup(device, key) {
        Ok(u) => return Ok(u),
        Err(e) => e,
    };
    dislocker(device, key)
        .map_err(|second| bitlocker_error(device, Reason::Failed(format!("cryptsetup: {first}; dislocker: {second}"))))
}

/// Why one unlocking tool did not open the volume.
#[derive(Debug, thiserror::Error)]
enum ToolFailed {
    /// The tool could not be run or talked to.
    #[error("{0}")]
    Run(#[from] std::io::Error),
    /// The tool ran and refused, in its own last words.
    #[error("{0}")]
    Refused(String),
    /// The unlocked image could not be attached.
    #[error("{0}")]
    Attach(Box<crate::Error>),
}

fn cryptsetup(device: &Path, key: &RecoveryKey) -> std::result::Result<Unlocked, ToolFailed> {
    let name = format!("shodo-bitlk-{}-{}", std::process::id(), super::attach::unique());
    let mut child = Command::new("cryptsetup")
        .args(["open", "--type", "bitlk", "--readonly", "--key-file", "-"])
        .arg(device)
        .arg(&name)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(key.0.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(ToolFailed::Refused(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    let mapped = PathBuf::from("/dev/mapper").join(&name);
    Ok(Unlocked { device: mapped, method: "cryptsetup", mapping: Some(name), fuse_dir: None, _loop: None })
}

fn dislocker(device: &Path, key: &RecoveryKey) -> std::result::Result<Unlocked, ToolFailed> {
    let dir = std::env::temp_dir().join(format!("shodo-dislocker-{}-{}", std::process::id(), super::attach::unique()));
    std::fs::create_dir_all(&dir)?;
    let out = Command::new("dislocker")
        .arg("-r")
        .arg("-V")
        .arg(device)
        .arg(format!("-p{}", key.0))
        .arg("--")
        .arg(&dir)
        .output();
    let file = dir.join("dislocker-file");
    match out {
        Ok(o) if o.status.success() && file.exists() => {
            let lo = Loop::attach(&file).map_err(|e| ToolFailed::Attach(Box::new(e)))?;
            Ok(Unlocked {
                device: lo.device.clone(),
                method: "dislocker",
                mapping: None,
                fuse_dir: Some(dir),
                _loop: Some(lo),
            })
        }
        other => {
            let _ = Command::new("umount").arg(&dir).stderr(Stdio::null()).status();
            let _ = std::fs::remove_dir(&dir);
            Err(match other {
                Ok(o) => ToolFailed::Refused(last_line(
                    &String::from_utf8_lossy(&o.stderr),
                    &String::from_utf8_lossy(&o.stdout),
                )),
                Err(e) => ToolFailed::Run(e),
            })
        }
    }
}

fn last_line(a: &str, b: &str) -> String {
    let text = format!("{a}\n{b}");
    text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("failed").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_key_format() {
        assert!(RecoveryKey::parse("000011-000022-000033-000044-000055-000066-000077-000088").is_ok());
        assert!(RecoveryKey::parse("000011000022000033000044000055000066000077000088").is_ok());
        // One digit off: 000012 is not a multiple of 11.
        assert!(RecoveryKey::parse("000012-000022-000033-000044-000055-000066-000077-000088").is_err());
        assert!(RecoveryKey::parse("1234").is_err());
    }

    #[test]
    fn key_is_never_printed() {
        let k = RecoveryKey::parse("000011-000022-000033-000044-000055-000066-000077-000088").unwrap();
        assert!(!format!("{k:?}").contains("000011"));
    }
}
