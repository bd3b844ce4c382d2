//! `shodo isolate --mode live-linux` in network namespaces: a server namespace listening on a
//! management port (22) and another port (80), IPv4 and IPv6, and a client namespace that shodo
//! isolates — before, after apply (kept pair passes, others blocked), after the table is flushed
//! or deleted behind shodo's back (verify says so), and after rollback (all as before).

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

use crate::helpers::{sh, shodo};

/// Two namespaces joined by a veth pair; removed (with everything in them) when dropped.
struct Net {
    srv: String,
    cli: String,
    servers: Vec<Child>,
}

impl Net {
    fn new() -> Net {
        let tag = std::process::id() % 100_000;
        let (srv, cli) = (format!("shodo-s{tag}"), format!("shodo-c{tag}"));
        let (a, b) = (format!("sv{tag}a"), format!("sv{tag}b"));
        sh("ip", &["netns", "add", &srv]);
        let mut net = Net { srv: srv.clone(), cli: cli.clone(), servers: Vec::new() };
        sh("ip", &["netns", "add", &cli]);
        sh("ip", &["link", "add", &a, "type", "veth", "peer", "name", &b]);
        sh("ip", &["link", "set", &a, "netns", &srv]);
        sh("ip", &["link", "set", &b, "netns", &cli]);
        for (ns, dev, v4, v6) in
            [(&srv, &a, "192.0.2.1/24", "2001:db8::1/64"), (&cli, &b, "192.0.2.2/24", "2001:db8::2/64")]
        {
            sh("ip", &["-n", ns, "addr", "add", v4, "dev", dev]);
            sh("ip", &["-n", ns, "addr", "add", v6, "dev", dev, "nodad"]);
            sh("ip", &["-n", ns, "link", "set", dev, "up"]);
            sh("ip", &["-n", ns, "link", "set", "lo", "up"]);
        }
        for port in [22, 80] {
            let child = Command::new("ip")
                .args(["netns", "exec", &srv, "socat"])
                .arg(format!("TCP6-LISTEN:{port},ipv6only=0,fork,reuseaddr"))
                .arg(format!("SYSTEM:echo port-{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("socat (installed by .ci/run)");
            net.servers.push(child);
        }
        // Until both listen.
        for _ in 0..50 {
            if net.reaches("192.0.2.1:22") && net.reaches("192.0.2.1:80") {
                return net;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the test servers did not start");
    }

    /// Whether a connection from the client namespace gets the server's greeting.
    fn reaches(&self, address: &str) -> bool {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.cli, "socat", "-T", "2", "-u"])
            .arg(format!("TCP:{address},connect-timeout=2"))
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains("port-")
    }

    fn all(&self) -> [bool; 4] {
        ["192.0.2.1:22", "[2001:db8::1]:22", "192.0.2.1:80", "[2001:db8::1]:80"].map(|a| self.reaches(a))
    }

    /// shodo run inside the client namespace.
    fn shodo(&self, case: &Path, args: &[&str]) -> (i32, Value, String) {
        let out: Output = Command::new("ip")
            .args(["netns", "exec", &self.cli, env!("CARGO_BIN_EXE_shodo")])
            .args(args)
            .arg("--case")
            .arg(case)
            .args(["--mode", "live-linux", "--endpoint", "pc-lab", "--json"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (
            out.status.code().unwrap(),
            serde_json::from_str(&text).unwrap_or(Value::Null),
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }

    fn nft(&self, args: &[&str]) -> String {
        let mut full = vec!["netns", "exec", &self.cli, "nft"];
        full.extend_from_slice(args);
        sh("ip", &full)
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for s in &mut self.servers {
            let _ = s.kill();
            let _ = s.wait();
        }
        let _ = Command::new("pkill").args(["-f", "SYSTEM:echo port-"]).status();
        for ns in [&self.srv, &self.cli] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

#[test]
fn live_linux_isolation_holds_both_ways_is_checked_and_rolls_back_exactly() {
    let net = Net::new();
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    assert_eq!(net.all(), [true; 4], "before: everything reaches the server");
    let keep = ["--allow", "192.0.2.1:22", "--allow", "[2001:db8::1]:22"];
    let probe = ["--probe-blocked", "192.0.2.1:80", "--probe-blocked", "[2001:db8::1]:80"];

    // The plan changes nothing; apply without the typed confirmation neither.
    let (code, plan, _) = net.shodo(&case, &[&["isolate", "plan"][..], &keep].concat());
    assert_eq!(code, 0);
    assert!(plan["ruleset"].as_str().unwrap().contains("policy drop"), "{plan}");
    let (code, _, err) = net.shodo(&case, &[&["isolate", "apply"][..], &keep].concat());
    assert_eq!(code, 2);
    assert!(err.contains("--confirm pc-lab"), "{err}");
    assert!(net.nft(&["list", "tables"]).trim().is_empty(), "nothing loaded");
    assert_eq!(net.all(), [true; 4]);

    // Applied: the kept pair passes, IPv4 and IPv6; the rest is blocked; confirmed by shodo.
    let (code, applied, err) =
        net.shodo(&case, &[&["isolate", "apply", "--confirm", "pc-lab"][..], &keep, &probe].concat());
    assert_eq!(code, 0, "{applied} {err}");
    assert_eq!(applied["verified"], true, "{applied}");
    let results: Vec<(&str, &str)> = applied["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["address"].as_str().unwrap(), p["result"].as_str().unwrap()))
        .collect();
    assert!(results.contains(&("192.0.2.1:22", "connected")) && results.contains(&("[2001:db8::1]:22", "connected")));
    assert!(results.iter().filter(|(a, _)| a.ends_with(":80")).all(|(_, r)| *r != "connected"), "{results:?}");
    assert_eq!(net.all(), [true, true, false, false], "after apply");
    // The ruleset and its hash are on the record; the case still verifies.
    let change = &applied["changes"][0];
    assert!(change["old"].is_null() && change["new"]["nftables"].is_array(), "{change}");
    let custody = std::fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let entry: Value = custody
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "isolate.apply")
        .unwrap();
    assert_eq!(entry["detail"]["changes"][0]["new_sha256"], change["new_sha256"]);
    assert_eq!(entry["files"][0]["path"], "endpoints/pc-lab/isolation.json");
    assert_eq!(crate::helpers::verify(&case).0, 0);
    let (code, checked, _) = net.shodo(&case, &["isolate", "verify"]);
    assert_eq!((code, &checked["verified"]), (0, &Value::Bool(true)), "{checked}");

    // Behind shodo's back: flushed, then deleted. verify says so.
    net.nft(&["flush", "table", "inet", "shodo_isolation"]);
    let (code, checked, _) = net.shodo(&case, &["isolate", "verify"]);
    assert_eq!((code, &checked["verified"]), (1, &Value::Bool(false)));
    assert!(checked["notes"].to_string().contains("was changed since it was applied"), "{checked}");
    net.nft(&["delete", "table", "inet", "shodo_isolation"]);
    let (code, checked, _) = net.shodo(&case, &["isolate", "verify"]);
    assert_eq!(code, 1);
    assert!(checked["notes"].to_string().contains("NOT isolated"), "{checked}");

    // Applied again, then rolled back: exactly the table goes, everything reaches as before.
    let (code, _, _) = net.shodo(&case, &[&["isolate", "apply", "--confirm", "pc-lab"][..], &keep, &probe].concat());
    assert_eq!(code, 0);
    net.nft(&["add", "table", "inet", "hospital_own"]);
    let (code, rolled, _) = net.shodo(&case, &["isolate", "rollback", "--confirm", "pc-lab"]);
    assert_eq!(code, 0, "{rolled}");
    assert!(rolled["changes"][0]["new"].is_null() && rolled["changes"][0]["old"].is_object());
    assert_eq!(net.nft(&["list", "tables"]).trim(), "table inet hospital_own", "only shodo's table went");
    assert_eq!(net.all(), [true; 4], "after rollback: as before");
    let out = shodo().args(["isolate", "ledger", "--json", "--case"]).arg(&case).output().unwrap();
    let ledger: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((ledger[0]["endpoint"].as_str(), ledger[0]["isolated"].as_bool()), (Some("pc-lab"), Some(false)));
    assert_eq!(crate::helpers::verify(&case).0, 0);
}

#[test]
fn running_windows_gets_scripts_in_the_case_for_staff_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    let args = ["--mode", "script-windows", "--endpoint", "pc-nurse-07", "--allow", "192.0.2.10:22", "--case"];
    let out = shodo().args(["isolate", "plan"]).args(args).arg(&case).output().unwrap();
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(plan.contains("# isolate.ps1") && plan.contains("# unisolate.ps1"), "{plan}");
    assert!(!case.join("endpoints/pc-nurse-07").exists(), "the plan writes nothing");

    let out = shodo().args(["isolate", "apply", "--json"]).args(args).arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let applied: Value = serde_json::from_slice(&out.stdout).unwrap();
    let case_id = std::fs::read_to_string(case.join("case.toml")).unwrap();
    for (i, name) in ["isolate.ps1", "unisolate.ps1"].iter().enumerate() {
        let bytes = std::fs::read(case.join("endpoints/pc-nurse-07").join(name)).unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{name}: UTF-8 with a byte-order mark");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let bare_lf = text.as_bytes().windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r');
        assert!(text.contains("\r\n") && !bare_lf, "{name}: CRLF");
        assert!(text.starts_with("#Requires -RunAsAdministrator"));
        let group = text.split("$Group = 'shodo isolation ").nth(1).unwrap().split('\'').next().unwrap().to_string();
        assert!(case_id.contains(&group), "{name}: tagged with the case id {group}");
        use sha2::Digest;
        let sha = format!(
            "{:x}",
            sha2::Sha256::digest(std::fs::read(case.join("endpoints/pc-nurse-07").join(name)).unwrap())
        );
        assert_eq!(applied["changes"][i]["new_sha256"], sha.as_str());
    }
    let isolate = std::fs::read_to_string(case.join("endpoints/pc-nurse-07/isolate.ps1")).unwrap();
    assert!(isolate.contains("-RemoteAddress '192.0.2.10' -RemotePort @('1-21', '23-65535')"));
    assert!(applied["verified"].is_null(), "shodo cannot see the endpoint's firewall: {applied}");
    // The network team's sheet: no facts collected here, but the isolation is on record.
    let mut sheet = shodo();
    let out = sheet.args(["isolate", "sheet", "--json", "--lang", "en", "--endpoint", "pc-nurse-07", "--case"]);
    let out = out.arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let sheet: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sheet["sheet"]["isolation"]["action"], "apply");
    let page = std::fs::read_to_string(case.join("endpoints/pc-nurse-07/network-sheet.html")).unwrap();
    assert!(page.contains("isolation applied (not yet confirmed)") && page.contains("192.0.2.10:22"), "{page}");
    assert!(page.contains("The evidence records no network interface."));
    let out = shodo().args(["isolate", "sheet", "--endpoint", "pc-unknown", "--case"]).arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an endpoint the case does not hold");
    assert_eq!(crate::helpers::verify(&case).0, 0);
    for verb in ["verify", "rollback"] {
        let out = shodo().args(["isolate", verb, "--lang", "en"]).args(args).arg(&case).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unisolate.ps1"), "{verb}");
    }
}
