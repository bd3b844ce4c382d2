//! A snapshot of the running Linux host shodo was started on (`collect --live`): processes with
//! the SHA-256 of their executables, sockets with their owning processes, logged-in users,
//! mounts and kernel modules — read from /proc and utmp, never by running anything.

use std::collections::HashMap;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::clock;
use crate::hash;

/// One process.
#[derive(Clone, Debug, Serialize)]
pub struct Process {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Real user id and its name.
    pub uid: Option<u32>,
    /// User name from the host's passwd.
    pub user: Option<String>,
    /// Command line (arguments joined by spaces).
    pub cmdline: String,
    /// Executable path (`(deleted)` when the file is gone: a classic sign).
    pub exe: Option<String>,
    /// SHA-256 of the executable, read through /proc (works for deleted files too).
    pub exe_sha256: Option<String>,
    /// Start time (UTC).
    pub started: Option<String>,
}

/// One socket.
#[derive(Clone, Debug, Serialize)]
pub struct Socket {
    /// tcp, tcp6, udp, udp6.
    pub proto: &'static str,
    /// Local address and port.
    pub local: String,
    /// Remote address and port.
    pub remote: String,
    /// TCP state (LISTEN, ESTABLISHED …); UDP: UNCONN or ESTABLISHED.
    pub state: String,
    /// Socket inode.
    pub inode: u64,
    /// Owning processes.
    pub pids: Vec<u32>,
}

/// One login from utmp.
#[derive(Clone, Debug, Serialize)]
pub struct Login {
    /// User.
    pub user: String,
    /// Terminal line.
    pub line: String,
    /// Remote host, if any.
    pub host: String,
    /// Session leader pid.
    pub pid: i32,
    /// Login time (UTC).
    pub since: Option<String>,
}

/// The snapshot as files: (name, bytes). Parts that cannot be read say so inside the file.
pub fn snapshot(proc: &Path, etc: &Path, utmp: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let users = users(&etc.join("passwd"));
    let processes = processes(proc, &users);
    let sockets = sockets(proc);
    let logins = logins(utmp);
    let json = |v: Value| serde_json::to_vec_pretty(&v).unwrap_or_default();
    vec![
        (
            "live/processes.json",
            json(serde_json::json!({ "taken": clock::utc_string(clock::now()), "processes": processes })),
        ),
        (
            "live/sockets.json",
            json(serde_json::json!({ "taken": clock::utc_string(clock::now()), "sockets": sockets })),
        ),
        ("live/logins.json", json(serde_json::json!({ "taken": clock::utc_string(clock::now()), "logins": logins }))),
        ("live/mountinfo.txt", fs::read(proc.join("self/mountinfo")).unwrap_or_default()),
        ("live/modules.txt", fs::read(proc.join("modules")).unwrap_or_default()),
    ]
}

fn users(passwd: &Path) -> HashMap<u32, String> {
    let text = fs::read_to_string(passwd).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((f.get(2)?.parse().ok()?, f.first()?.to_string()))
        })
        .collect()
}

fn pids(proc: &Path) -> Vec<u32> {
    let mut pids: Vec<u32> = fs::read_dir(proc)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    pids
}

fn processes(proc: &Path, users: &HashMap<u32, String>) -> Vec<Process> {
    let boot = boot_time(proc);
    pids(proc).into_iter().filter_map(|pid| process(&proc.join(pid.to_string()), pid, boot, users)).collect()
}

fn process(dir: &Path, pid: u32, boot: Option<i64>, users: &HashMap<u32, String>) -> Option<Process> {
    let stat = fs::read_to_string(dir.join("stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain anything.
    let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ppid = rest.get(1)?.parse().ok()?;
    // USER_HZ is 100 on Linux for every architecture shodo runs on.
    let ticks: Option<i64> = rest.get(19).and_then(|t| t.parse().ok());
    let started =
        boot.zip(ticks).and_then(|(b, t)| chrono::DateTime::from_timestamp(b + t / 100, 0)).map(clock::utc_string);
    let status = fs::read_to_string(dir.join("status")).unwrap_or_default();
    let uid =
        status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|v| v.split_whitespace().next()?.parse().ok());
    let cmdline = fs::read(dir.join("cmdline")).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline).split('\0').filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    let exe = fs::read_link(dir.join("exe")).ok().map(|p| p.display().to_string());
    let exe_sha256 = exe.as_ref().and_then(|_| hash::sha256_file(&dir.join("exe")).ok()).map(|(h, _)| h);
    Some(Process { pid, ppid, uid, user: uid.and_then(|u| users.get(&u).cloned()), cmdline, exe, exe_sha256, started })
}

fn boot_time(proc: &Path) -> Option<i64> {
    let stat = fs::read_to_string(proc.join("stat")).ok()?;
    stat.lines().find_map(|l| l.strip_prefix("btime "))?.trim().parse().ok()
}

fn sockets(proc: &Path) -> Vec<Socket> {
    let owners = socket_owners(proc);
    let mut out = Vec::new();
    for proto in ["tcp", "tcp6", "udp", "udp6"] {
        let text = fs::read_to_string(proc.join("net").join(proto)).unwrap_or_default();
        for line in text.lines().skip(1) {
            if let Some(mut s) = socket(proto, line) {
                s.pids = owners.get(&s.inode).cloned().unwrap_or_default();
                out.push(s);
            }
        }
    }
    out
}

fn socket(proto: &'static str, line: &str) -> Option<Socket> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let state = u8::from_str_radix(f.get(3)?, 16).ok()?;
    let state = if proto.starts_with("tcp") {
        tcp_state(state)
    } else if state == 1 {
        "ESTABLISHED"
    } else {
        "UNCONN"
    };
    Some(Socket {
        proto,
        local: endpoint(f.get(1)?)?,
        remote: endpoint(f.get(2)?)?,
        state: state.to_string(),
        inode: f.get(9)?.parse().ok()?,
        pids: Vec::new(),
    })
}

fn tcp_state(s: u8) -> &'static str {
    match s {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        _ => "UNKNOWN",
    }
}

/// `0100007F:1F90` → `127.0.0.1:8080`; IPv6 as four host-order 32-bit words.
fn endpoint(text: &str) -> Option<String> {
    let (addr, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip: IpAddr = match addr.len() {
        8 => Ipv4Addr::from(u32::from_str_radix(addr, 16).ok()?.swap_bytes()).into(),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                let word = u32::from_str_radix(&addr[i * 8..i * 8 + 8], 16).ok()?.swap_bytes();
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
            }
            Ipv6Addr::from(bytes).into()
        }
        _ => return None,
    };
    Some(std::net::SocketAddr::new(ip, port).to_string())
}

fn socket_owners(proc: &Path) -> HashMap<u64, Vec<u32>> {
    let mut owners: HashMap<u64, Vec<u32>> = HashMap::new();
    for pid in pids(proc) {
        let fds = fs::read_dir(proc.join(pid.to_string()).join("fd")).into_iter().flatten().flatten();
        for fd in fds {
            let Ok(target) = fs::read_link(fd.path()) else { continue };
            let inode = target.to_str().and_then(|t| t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok());
            if let Some(inode) = inode {
                let list = owners.entry(inode).or_default();
                if !list.contains(&pid) {
                    list.push(pid);
                }
            }
        }
    }
    owners
}

/// glibc's `struct utmp` on x86_64: 384 bytes.
const UTMP_SIZE: usize = 384;
const USER_PROCESS: i16 = 7;

fn logins(utmp: &Path) -> Vec<Login> {
    let bytes = fs::read(utmp).unwrap_or_default();
    bytes.chunks_exact(UTMP_SIZE).filter_map(login).collect()
}

fn login(rec: &[u8]) -> Option<Login> {
    let kind = i16::from_le_bytes([rec[0], rec[1]]);
    if kind != USER_PROCESS {
        return None;
    }
    let text = |r: &[u8]| String::from_utf8_lossy(r.split(|&b| b == 0).next().unwrap_or_default()).into_owned();
    let pid = i32::from_le_bytes(rec[4..8].try_into().ok()?);
    let secs = i32::from_le_bytes(rec[340..344].try_into().ok()?);
    Some(Login {
        user: text(&rec[44..76]),
        line: text(&rec[8..40]),
        host: text(&rec[76..332]),
        pid,
        since: chrono::DateTime::from_timestamp(i64::from(secs), 0).map(clock::utc_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_addresses() {
        assert_eq!(endpoint("0100007F:1F90").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(endpoint("00000000000000000000000001000000:0016").as_deref(), Some("[::1]:22"));
    }

    #[test]
    fn utmp_user_process() {
        let mut rec = vec![0u8; UTMP_SIZE];
        rec[0] = 7;
        rec[4..8].copy_from_slice(&1234i32.to_le_bytes());
        rec[8..13].copy_from_slice(b"pts/0");
        rec[44..48].copy_from_slice(b"root");
        rec[76..87].copy_from_slice(b"203.0.113.9");
        rec[340..344].copy_from_slice(&1_700_000_000i32.to_le_bytes());
        let l = login(&rec).unwrap();
        assert_eq!((l.user.as_str(), l.line.as_str(), l.host.as_str(), l.pid), ("root", "pts/0", "203.0.113.9", 1234));
        assert_eq!(l.since.as_deref(), Some("2023-11-14T22:13:20.000000Z"));
    }

    #[test]
    fn own_process_is_in_the_snapshot_with_its_exe_hash() {
        let procs = processes(Path::new("/proc"), &HashMap::new());
        let me = procs.iter().find(|p| p.pid == std::process::id()).unwrap();
        assert!(me.exe_sha256.as_ref().is_some_and(|h| h.len() == 64));
        assert!(me.started.is_some());
    }
}
