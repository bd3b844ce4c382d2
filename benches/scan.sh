#!/usr/bin/env bash
# YARA scanning speed against the yara-x CLI (`yr`), same rules, same files, one run:
#   1. rules only:  shodo scan --yara-only --no-bundled --rules rules/yara   vs   yr scan rules/yara
#   2. full pass:   shodo scan (YARA + SHA-256 + encryption check + executable facts, one read)
#                   vs   yr scan  plus  sha256sum of every file
# Prints both ratios (goals: 1. within 10 % of yr; 2. faster than yr + sha256sum).
#
# Usage: benches/scan.sh [DIR...]   (default: ../shared/corpora plus this machine's /usr/bin and
# /usr/lib/x86_64-linux-gnu, so that scanning, not rule compilation, dominates). Each tool runs
# once to warm the page cache before anything is timed.
# Needs `yr` on PATH; otherwise it is built once with `cargo install yara-x-cli` into
# target/bench-tools (takes a while the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then corpus=("$@"); else corpus=(../shared/corpora /usr/bin /usr/lib/x86_64-linux-gnu); fi
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
yr=$(command -v yr || true)
if [ -z "$yr" ]; then
  tools=target/bench-tools
  [ -x "$tools/bin/yr" ] || cargo install --quiet --root "$tools" --target x86_64-unknown-linux-gnu yara-x-cli
  yr="$tools/bin/yr"
fi
files=$(find "${corpus[@]}" -type f | wc -l)
bytes=$(find "${corpus[@]}" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "corpus: ${corpus[*]} ($files files, $bytes bytes); threads: $(nproc)"

yr_scan() { for d in "${corpus[@]}"; do "$yr" scan --recursive --threads "$(nproc)" rules/yara "$d" > /dev/null 2>&1 || true; done; }
now() { date +%s.%N; }
"$bin" scan --yara-only --no-bundled --rules rules/yara --max-size 1GiB "${corpus[@]}" --ndjson > /dev/null || true
yr_scan
t0=$(now); "$bin" scan --yara-only --no-bundled --rules rules/yara --max-size 1GiB "${corpus[@]}" --ndjson > /dev/null || true; t1=$(now)
yr_scan; t2=$(now)
"$bin" scan --max-size 1GiB "${corpus[@]}" --ndjson > /dev/null || true; t3=$(now)
yr_scan
find "${corpus[@]}" -type f -print0 | xargs -0 sha256sum > /dev/null; t4=$(now)

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" <<'PY'
import sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:])
shodo_rules, yr, shodo_full, peer_full = t1 - t0, t2 - t1, t3 - t2, t4 - t3
print(f"rules only:  shodo {shodo_rules:7.2f} s   yr {yr:7.2f} s   ratio {shodo_rules / yr:5.2f}  (goal <= 1.10)")
print(f"full pass:   shodo {shodo_full:7.2f} s   yr + sha256sum {peer_full:7.2f} s   ratio {shodo_full / peer_full:5.2f}  (goal < 1.00)")
PY
