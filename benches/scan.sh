#!/usr/bin/env bash
# YARA scanning speed against the yara-x CLI (`yr`), same rules, same files, one run:
#   1. rules only:  shodo scan --yara-only --no-bundled --rules rules/yara   vs   yr scan rules/yara
#   2. full pass:   shodo scan (YARA + SHA-256 + encryption check + executable facts, one read)
#                   vs   yr scan  plus  sha256sum of every file
# Prints both ratios (goals: 1. within 10 % of yr; 2. faster than yr + sha256sum).
#
# Usage: benches/scan.sh [DIR...]   (default: ../shared/corpora plus this machine's /usr/bin and
# /usr/lib/x86_64-linux-gnu, so that scanning, not rule compilation, dominates). Each tool runs
# once to warm the page cache before anything is timed; then three rounds, each starting with
# another of the four commands (a shared machine's speed drifts), and the medians count.
# Needs `yr` on PATH; otherwise it is built once with `cargo install yara-x-cli` into
# target/bench-tools (takes a while the first time), at the version of yara-x in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then corpus=("$@"); else corpus=(../shared/corpora /usr/bin /usr/lib/x86_64-linux-gnu); fi
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
yr=$(command -v yr || true)
if [ -z "$yr" ]; then
  tools=target/bench-tools
  # The yara-x shodo links (Cargo.lock), with the versions its own lock file names: an unlocked
  # install takes whatever its dependencies released since, and does not always build.
  version=$(awk '/^name = "yara-x"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
  [ -x "$tools/bin/yr" ] ||
    cargo install --quiet --locked --root "$tools" --target x86_64-unknown-linux-gnu "yara-x-cli@$version"
  yr="$tools/bin/yr"
fi
files=$(find "${corpus[@]}" -type f | wc -l)
bytes=$(find "${corpus[@]}" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "corpus: ${corpus[*]} ($files files, $bytes bytes); threads: $(nproc)"

yr_scan() { for d in "${corpus[@]}"; do "$yr" scan --recursive --threads "$(nproc)" rules/yara "$d" > /dev/null 2>&1 || true; done; }
shodo_rules() { "$bin" scan --yara-only --no-bundled --rules rules/yara --max-size 1GiB "${corpus[@]}" --ndjson > /dev/null || true; }
shodo_full() { "$bin" scan --max-size 1GiB "${corpus[@]}" --ndjson > /dev/null || true; }
peer_full() { yr_scan; find "${corpus[@]}" -type f -print0 | xargs -0 sha256sum > /dev/null; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
shodo_rules
yr_scan
R=() Y=() F=() P=()
for round in 0 1 2; do
  for k in 0 1 2 3; do
    case $(( (k + round) % 4 )) in
      0) R+=("$(timed shodo_rules)") ;;
      1) Y+=("$(timed yr_scan)") ;;
      2) F+=("$(timed shodo_full)") ;;
      3) P+=("$(timed peer_full)") ;;
    esac
  done
done

python3 - "${R[*]}" "${Y[*]}" "${F[*]}" "${P[*]}" <<'PY'
import statistics, sys
shodo_rules, yr, shodo_full, peer_full = (statistics.median(map(float, a.split())) for a in sys.argv[1:])
print(f"rules only:  shodo {shodo_rules:7.2f} s   yr {yr:7.2f} s   ratio {shodo_rules / yr:5.2f}  (medians of 3; goal <= 1.10)")
print(f"full pass:   shodo {shodo_full:7.2f} s   yr + sha256sum {peer_full:7.2f} s   ratio {shodo_full / peer_full:5.2f}  (medians of 3; goal < 1.00)")
PY
