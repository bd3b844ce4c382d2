#!/usr/bin/env bash
# Collection speed against the peer: the same file set copied and hashed by `tar` + `sha256sum`.
#
# Generates a Windows-like tree (default 52,000 files, about 2.1 GiB of random data, every file
# in a catalogue location), then times, with cold caches when this runs as root:
#   shodo collect (copy into evidence archives + SHA-256 + manifest + custody log)
#   tar -cf of the same files, then sha256sum of the same files
# and prints the ratio shodo / peer (goal: <= 1.1).
#
# Usage: benches/collect.sh [WORKDIR]   (needs ~5 GiB free there; SHODO_BENCH_SCALE=0.1 for a quick run)
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-${TMPDIR:-/tmp}/shodo-bench}
scale=${SHODO_BENCH_SCALE:-1}
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
rm -rf "$work" && mkdir -p "$work"
src="$work/src"

python3 - "$src" "$scale" <<'PY'
import os, sys
root, scale = sys.argv[1], float(sys.argv[2])
rnd = open("/dev/urandom", "rb")
def put(rel, size):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        while size > 0:
            n = min(size, 1 << 20)
            f.write(rnd.read(n))
            size -= n
n = lambda k: max(1, int(k * scale))
for i in range(n(40)):
    put(f"Windows/System32/winevt/Logs/Log-{i:03}.evtx", 20 << 20)
for u in range(n(50)):
    put(f"Users/user{u:02}/NTUSER.DAT", 16 << 20)
    for i in range(n(400)):
        put(f"Users/user{u:02}/AppData/Roaming/Microsoft/Windows/Recent/doc{i:04}.lnk", 2048)
for i in range(n(20000)):
    put(f"Windows/Prefetch/PROG{i:05}.EXE-{i:08X}.pf", 20 << 10)
for i in range(n(12000)):
    put(f"Windows/System32/Tasks/Vendor{i % 100:02}/Task{i:05}", 4096)
PY

(cd "$src" && find . -type f | sed 's|^\./||' | sort) > "$work/files.txt"
files=$(wc -l < "$work/files.txt")
bytes=$(cd "$src" && du -sb . | cut -f1)
echo "files: $files  bytes: $bytes"

cold() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; else echo "(caches not dropped: not root)"; fi
}
now() { date +%s.%N; }

"$bin" case init --case "$work/case" >/dev/null
cold
t0=$(now)
"$bin" collect --case "$work/case" --source "$src" --endpoint bench >/dev/null || test $? -eq 1
t1=$(now)
collected=$(grep -c '"status":"collected"' "$work/case/endpoints/bench/manifest.jsonl")

cold
t2=$(now)
(cd "$src" && tar -cf "$work/peer.tar" -T "$work/files.txt")
(cd "$src" && tr '\n' '\0' < "$work/files.txt" | xargs -0 sha256sum > "$work/peer.sha256")
t3=$(now)

python3 - "$t0" "$t1" "$t2" "$t3" "$collected" "$files" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
collected, files = int(sys.argv[5]), int(sys.argv[6])
shodo, peer = t1 - t0, t3 - t2
print(f"shodo collect:      {shodo:8.2f} s  ({collected} of {files} files collected)")
print(f"tar + sha256sum:    {peer:8.2f} s")
print(f"ratio shodo/peer:   {shodo / peer:8.2f}  (goal <= 1.10)")
PY
[ -n "${SHODO_BENCH_KEEP:-}" ] || rm -rf "$work"
