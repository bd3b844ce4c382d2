#!/usr/bin/env bash
# Backup reading speed against the peers, in one run, with cold caches when this runs as root:
#   (a) one large file (default 4096 MiB): shodo backup baseline, hashdeep -c sha256,
#       sha256sum, and openssl dgst -sha256 (the per-core hash limit)
#   (b) many small files (default 100,000 of 4 KiB, 400 folders): shodo, hashdeep -r, sha256sum
# Each command runs three times, the tools alternating (a shared machine's speed drifts), and the
# median time counts. Prints the speed ratios (peer time / shodo time: higher is better).
# Goals: >= 2x hashdeep and >= 1.5x sha256sum on both; on (a) within 15 % of openssl.
#
# Usage: benches/backup.sh [WORKDIR] [LARGE_MB] [SMALL_FILES]   (needs LARGE_MB + ~500 MiB free)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-${TMPDIR:-/tmp}/shodo-backup-bench}
large_mb=${2:-4096}
small=${3:-100000}
bin=$PWD/target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
command -v hashdeep > /dev/null || { echo "needs hashdeep (apt-get install hashdeep)"; exit 2; }
rm -rf "$work" && mkdir -p "$work/large" "$work/small"
head -c $((large_mb << 20)) /dev/urandom > "$work/large/image.vhdx"
python3 - "$work/small" "$small" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, f"dir{i % 400:03}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i:06}.dat"), "wb") as f:
        f.write(os.urandom(4096))
PY
# Let the writes of the test data settle before anything is timed.
sync; sleep 10
cold() { sync; if [ "$(id -u)" = 0 ]; then echo 3 > /proc/sys/vm/drop_caches; fi; }
run() { # prints seconds of the command (output discarded), caches dropped first
  cold
  python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.monotonic() - t:.3f}")
PY
}
out="$work/manifest.txt"
echo "threads: $(nproc); large: ${large_mb} MiB; small: ${small} files of 4 KiB"
median() { python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "$@"; }
for set in large small; do
  dir="$work/$set"
  S=() H=() C=() O=()
  for round in 0 1 2; do
    # Each round starts with another tool, so no tool always runs first after the writes.
    for k in 0 1 2 3; do
      case $(( (k + round) % 4 )) in
        0) S+=("$(run "$bin" backup baseline --out "$out" "$dir")") ;;
        1) H+=("$(run hashdeep -c sha256 -r "$dir")") ;;
        2) C+=("$(run bash -c 'find "$1" -type f -print0 | xargs -0 sha256sum' _ "$dir")") ;;
        3) [ "$set" = large ] && O+=("$(run openssl dgst -sha256 "$dir/image.vhdx")") ;;
      esac
    done
  done
  s=$(median "${S[@]}") h=$(median "${H[@]}") c=$(median "${C[@]}")
  line="$set: shodo ${s}s  hashdeep ${h}s  sha256sum ${c}s (medians of 3)"
  ratios=$(python3 -c "s,h,c=$s,$h,$c; print(f'speed vs hashdeep {h/s:.2f}x (goal >= 2), vs sha256sum {c/s:.2f}x (goal >= 1.5)')")
  if [ "$set" = large ]; then
    o=$(median "${O[@]}")
    ratios="$ratios, $(python3 -c "s,o=$s,$o; print(f'openssl {o}s: shodo takes {s/o:.2f}x its time (goal <= 1.15)')")"
  fi
  echo "$line  -> $ratios"
done
rm -rf "$work"
