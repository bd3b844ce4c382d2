//! Live Windows isolation: `isolate.ps1` and `unisolate.ps1`, written into the case for staff
//! to run as administrator on the endpoint (shodo does not run on it).
//!
//! Windows Firewall evaluates block rules before allow rules, and a host keeps its own allow
//! rules (built-in ones for DNS, file sharing …) whatever the default action. So the script does
//! not rely on the default action alone: block rules cover every remote address except the kept
//! hosts, and every port of a kept host except its kept ones; inbound, everything new is blocked.
//! All rules carry the case id in their group and name, so they show in wf.msc and go together.
//! The profiles' previous settings are saved beside the script first, and `unisolate.ps1` puts
//! them back and removes exactly that group. Both files are UTF-8 with a byte-order mark and CRLF
//! line ends, as Windows PowerShell 5.1 needs to read Japanese text.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::isolate::strings as txt;
use crate::lang::Text;

/// The ranges (`first-last`, or one value) of `min..=max` that leave out `kept`.
fn complement<T: Copy + Into<u128>>(
    kept: &[T],
    (min, max): (u128, u128),
    show: impl Fn(u128) -> String,
) -> Vec<String> {
    let mut points: Vec<u128> = kept.iter().map(|&k| k.into()).filter(|p| (min..=max).contains(p)).collect();
    points.sort_unstable();
    points.dedup();
    let range = |lo: u128, hi: u128| if lo == hi { show(lo) } else { format!("{}-{}", show(lo), show(hi)) };
    let mut ranges = Vec::new();
    let mut from = Some(min);
    for p in points {
        if let Some(f) = from.filter(|&f| p > f) {
            ranges.push(range(f, p - 1));
        }
        from = p.checked_add(1).filter(|&n| n <= max);
    }
    if let Some(f) = from {
        ranges.push(range(f, max));
    }
    ranges
}

/// Every IPv4 and IPv6 address but the kept hosts, as Windows Firewall ranges.
pub fn other_addresses(kept: &[IpAddr]) -> Vec<String> {
    let v4: Vec<u32> =
        kept.iter().filter_map(|a| if let IpAddr::V4(v) = a { Some(u32::from(*v)) } else { None }).collect();
    let v6: Vec<u128> =
        kept.iter().filter_map(|a| if let IpAddr::V6(v) = a { Some(u128::from(*v)) } else { None }).collect();
    let mut out = complement(&v4, (0, u128::from(u32::MAX)), |n| Ipv4Addr::from(n as u32).to_string());
    out.extend(complement(&v6, (0, u128::MAX), |n| Ipv6Addr::from(n).to_string()));
    out
}

/// Every port but `kept`, as Windows Firewall port ranges (`1-21,23-65535`).
pub fn other_ports(kept: &[u16]) -> String {
    complement(kept, (1, 65535), |n| n.to_string()).join(",")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A text as the scripts say it, in both languages at once (whoever runs them reads either).
fn both(text: Text) -> String {
    format!("{} / {}", text.ja, text.en)
}

/// A text as two comment lines, Japanese first.
fn comment(text: Text) -> String {
    format!("# {}\n# {}", text.ja, text.en)
}

fn list(items: &[String]) -> String {
    format!("@({})", items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", "))
}

/// What both scripts begin with: stop at the first error, the rule group, a transcript beside
/// the script, and where the settings before isolation are kept; the `try` that [`END`] closes.
fn preamble(group: &str, log: &str) -> String {
    format!(
        "$ErrorActionPreference = 'Stop'
$Group = {}
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path
$Stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')
Start-Transcript -Path (Join-Path $Here \"{log}-$Stamp.log\") | Out-Null
try {{
    $Before = Join-Path $Here 'firewall-before-isolation.json'
",
        quote(group)
    )
}

/// What both scripts end with: the transcript closed whatever happened.
const END: &str = "} finally {
    Stop-Transcript | Out-Null
}
";

/// `isolate.ps1`.
pub fn isolate_ps1(case_id: &str, endpoint: &str, allow: &[SocketAddr], generated_utc: &str) -> String {
    let group = format!("shodo isolation {case_id}");
    let mut by_host: BTreeMap<IpAddr, Vec<u16>> = BTreeMap::new();
    for a in allow {
        by_host.entry(a.ip()).or_default().push(a.port());
    }
    let hosts: Vec<IpAddr> = by_host.keys().copied().collect();
    let mut rules = String::new();
    for (host, ports) in &by_host {
        let kept: Vec<String> = ports.iter().map(ToString::to_string).collect();
        for proto in ["TCP", "UDP"] {
            rules.push_str(&format!(
                "New-NetFirewallRule -Group $Group -DisplayName \"${{Group}}: allow {proto} to {host} port {k}\" -Direction Outbound -Action Allow -Protocol {proto} -RemoteAddress '{host}' -RemotePort {ports} -Profile Any | Out-Null\n",
                k = kept.join(","),
                ports = list(&kept)
            ));
            rules.push_str(&format!(
                "New-NetFirewallRule -Group $Group -DisplayName \"${{Group}}: block {proto} to {host} other ports\" -Direction Outbound -Action Block -Protocol {proto} -RemoteAddress '{host}' -RemotePort {} -Profile Any | Out-Null\n",
                list(&other_ports(ports).split(',').map(str::to_string).collect::<Vec<_>>())
            ));
        }
    }
    let others = other_addresses(&hosts);
    format!(
        "#Requires -RunAsAdministrator
# shodo: isolate endpoint {endpoint} (case {case_id}), generated {generated_utc}
{run_as}
{preamble}    if (-not (Test-Path $Before)) {{
        $profiles = Get-NetFirewallProfile -Profile Domain,Private,Public |
            Select-Object Name, Enabled, DefaultInboundAction, DefaultOutboundAction
        $service = Get-Service -Name mpssvc | Select-Object Name, StartType, Status
        @{{ profiles = $profiles; service = $service }} | ConvertTo-Json -Depth 4 | Set-Content -Path $Before -Encoding UTF8
    }}
    Set-Service -Name mpssvc -StartupType Automatic
    Start-Service -Name mpssvc
    Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue | Remove-NetFirewallRule
{rules}    New-NetFirewallRule -Group $Group -DisplayName \"${{Group}}: block all other addresses\" -Direction Outbound -Action Block -RemoteAddress {others} -Profile Any | Out-Null
    New-NetFirewallRule -Group $Group -DisplayName \"${{Group}}: block inbound\" -Direction Inbound -Action Block -Profile Any | Out-Null
    Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Block
    Get-NetFirewallProfile -Profile Domain,Private,Public | Format-Table Name, Enabled, DefaultInboundAction, DefaultOutboundAction
    Get-NetFirewallRule -Group $Group | Format-Table DisplayName, Direction, Action, Enabled
    Write-Host '{isolated}: {endpoint}'
{END}",
        run_as = comment(txt::ISOLATE_PS1_RUN_AS_ADMINISTRATOR),
        isolated = both(txt::SCRIPT_ISOLATED),
        preamble = preamble(&group, "isolate"),
        rules = rules.lines().map(|l| format!("    {l}\n")).collect::<String>(),
        others = list(&others),
    )
}

/// `unisolate.ps1`.
pub fn unisolate_ps1(case_id: &str, endpoint: &str, generated_utc: &str) -> String {
    let preamble = preamble(&format!("shodo isolation {case_id}"), "unisolate");
    let run_as = comment(txt::UNISOLATE_PS1_RUN_AS_ADMINISTRATOR);
    let missing = both(txt::SCRIPT_IS_MISSING);
    let undone = both(txt::SCRIPT_ISOLATION_UNDONE);
    format!(
        "#Requires -RunAsAdministrator
# shodo: undo the isolation of endpoint {endpoint} (case {case_id}), generated {generated_utc}
{run_as}
{preamble}    if (-not (Test-Path $Before)) {{ throw \"$Before {missing}\" }}
    $saved = Get-Content -Path $Before -Raw -Encoding UTF8 | ConvertFrom-Json
    Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue | Remove-NetFirewallRule
    foreach ($p in $saved.profiles) {{
        Set-NetFirewallProfile -Profile $p.Name -Enabled $p.Enabled -DefaultInboundAction $p.DefaultInboundAction -DefaultOutboundAction $p.DefaultOutboundAction
    }}
    Set-Service -Name mpssvc -StartupType $saved.service.StartType
    Get-NetFirewallProfile -Profile Domain,Private,Public | Format-Table Name, Enabled, DefaultInboundAction, DefaultOutboundAction
    Remove-Item -Path $Before
    Write-Host '{undone}: {endpoint}'
{END}"
    )
}

/// A script as written to disk: UTF-8 with a byte-order mark, CRLF line ends.
pub fn as_file(script: &str) -> Vec<u8> {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(script.replace('\n', "\r\n").as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_but_the_kept_hosts_and_ports() {
        let kept: Vec<IpAddr> = vec!["192.0.2.10".parse().unwrap(), "2001:db8::10".parse().unwrap()];
        let ranges = other_addresses(&kept);
        assert_eq!(ranges[..2], ["0.0.0.0-192.0.2.9".to_string(), "192.0.2.11-255.255.255.255".to_string()]);
        assert_eq!(ranges[2], "::-2001:db8::f");
        assert_eq!(ranges[3], "2001:db8::11-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert_eq!(other_ports(&[22]), "1-21,23-65535");
        assert_eq!(other_ports(&[443, 22]), "1-21,23-442,444-65535");
        assert_eq!(other_ports(&[1, 65535]), "2-65534");
        assert_eq!(other_addresses(&[]), ["0.0.0.0-255.255.255.255", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]);
    }

    #[test]
    fn scripts_match_their_golden_files() {
        let allow: Vec<SocketAddr> = vec![
            "192.0.2.10:22".parse().unwrap(),
            "192.0.2.10:443".parse().unwrap(),
            "[2001:db8::10]:22".parse().unwrap(),
        ];
        let when = "2026-11-21T03:00:00.000000Z";
        let isolate = isolate_ps1("20261121-0300-abcd", "pc-nurse-07", &allow, when);
        let unisolate = unisolate_ps1("20261121-0300-abcd", "pc-nurse-07", when);
        // After a deliberate change: SHODO_BLESS=1 cargo test writes them anew (review the diff).
        if std::env::var_os("SHODO_BLESS").is_some() {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
            std::fs::write(dir.join("isolate.ps1"), &isolate).unwrap();
            std::fs::write(dir.join("unisolate.ps1"), &unisolate).unwrap();
        }
        assert_eq!(isolate, include_str!("../../tests/golden/isolate.ps1"));
        assert_eq!(unisolate, include_str!("../../tests/golden/unisolate.ps1"));
        let file = as_file(&isolate);
        assert!(file.starts_with(&[0xEF, 0xBB, 0xBF]) && !file.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
    }
}
