#!/usr/bin/env bash
# Report aggregation over many endpoints: a case with N generated endpoints (each with its facts,
# a manifest of 200 collected files, and findings: encrypted files, a ransom note with contact
# points, a tool hit, detections), then `shodo report` — the model, every document, the evidence
# list, the STIX bundle. Peer: writing the same files with `cat` (the I/O floor); prints both
# times and the ratio (goal: 1,000 endpoints in seconds).
#
# Usage: benches/report.sh [ENDPOINTS]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
"$bin" case init --case "$work/case" --examiner bench --aware-at "2026-11-21 03:10" > /dev/null 2>&1
python3 - "$work/case" "$n" <<'PY'
import json, os, sys, hashlib
case, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(case, "endpoints", f"pc-{i:04d}")
    os.makedirs(d)
    json.dump({"hostname": f"PC-{i:04d}", "os_release": "Windows 10 Pro 22H2",
               "nics": [{"address": f"10.{i // 250}.{i % 250}.10"}]}, open(os.path.join(d, "endpoint.json"), "w"))
    with open(os.path.join(d, "manifest.jsonl"), "w") as m:
        for k in range(200):
            sha = hashlib.sha256(f"{i}/{k}".encode()).hexdigest()
            m.write(json.dumps({"seq": k + 1, "status": "collected", "path": f"Users/u/Documents/f{k}.docx",
                                "artefacts": ["user_documents"], "size": 4096, "sha256": sha,
                                "times": {"modified": "2026-11-20T18:00:00Z", "accessed": None, "changed": None, "born": None},
                                "zip": "evidence-0001.zip", "entry": f"fs/Users/u/Documents/f{k}.docx",
                                "at": "2026-11-21T03:30:00Z"}) + "\n")
    with open(os.path.join(d, "findings.jsonl"), "w") as f:
        for k in range(50):
            f.write(json.dumps({"v": 1, "kind": "encrypted_file", "path": f"Users/u/Documents/f{k}.docx.lockbit",
                                "modified": f"2026-11-20T18:{k:02d}:00Z", "by": "scan"}) + "\n")
        f.write(json.dumps({"v": 1, "kind": "ransom_note_name", "path": "Users/u/Desktop/Restore-My-Files.txt",
                            "attribution": [{"family": "LockBit"}], "by": "scan",
                            "iocs": {"onion": ["lockbitapt2yfbt7lchxejug47kmqvqqxvvjpqkmevv4l3azl3gy6pyd.onion"]}}) + "\n")
        f.write(json.dumps({"v": 1, "kind": "yara", "path": "Users/Public/m.exe", "sha256": hashlib.sha256(str(i % 7).encode()).hexdigest(),
                            "meta": {"category": "hack_tool", "severity": "high", "family": "mimikatz"}, "by": "scan"}) + "\n")
        f.write(json.dumps({"v": 1, "kind": "event_detection", "rule": "first_external_logon", "severity": "high",
                            "path": "Windows/System32/winevt/Logs/Security.evtx", "time": "2026-11-20T17:00:00Z",
                            "record_id": 42, "fields": {"address": "203.0.113.7"}, "by": "analyze"}) + "\n")
PY
start=$(date +%s.%N)
"$bin" report --case "$work/case" > /dev/null
mid=$(date +%s.%N)
# The floor: read every input file and write the same number of output bytes.
cat "$work"/case/endpoints/*/manifest.jsonl "$work"/case/endpoints/*/findings.jsonl "$work"/case/endpoints/*/endpoint.json > "$work/floor"
cat "$work"/case/reports/* > "$work/floor2"
end=$(date +%s.%N)
python3 - "$start" "$mid" "$end" "$n" <<'PY'
import sys
s, m, e, n = map(float, sys.argv[1:5])
shodo, floor = m - s, e - m
print(f"report over {int(n)} endpoints: shodo {shodo:.2f} s, cat floor {floor:.2f} s, ratio {shodo / max(floor, 1e-3):.1f}x")
PY
