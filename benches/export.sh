#!/usr/bin/env bash
# Encrypted export against the peer: the same case as `tar | age` (the reference Go tool), one run:
#   shodo export --to KEY   (tar + SHA-256 of every file for the listing + age, streamed)
#   tar -cf - case | age -r KEY, then sync (shodo fsyncs the archive before recording it)
# and the check: shodo export --verify (decrypt + every hash + the custody chain) against
# age -d | tar -t. Prints both ratios (goals: export <= 1.2x the peer; verify <= 1.5x).
#
# Usage: benches/export.sh [WORKDIR]   (SHODO_BENCH_SCALE=0.1 for a quick run; default ~2 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v age > /dev/null || { echo "needs age (apt-get install age)"; exit 2; }
work=${1:-${TMPDIR:-/tmp}/shodo-bench-export}
scale=${SHODO_BENCH_SCALE:-1}
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
rm -rf "$work" && mkdir -p "$work"
"$bin" case init --case "$work/case" --examiner bench > /dev/null
python3 - "$work/case/endpoints" "$scale" <<'PY'
import os, sys
root, scale = sys.argv[1], float(sys.argv[2])
rnd = open("/dev/urandom", "rb")
for e in range(4):
    d = os.path.join(root, f"PC-{e:02}")
    os.makedirs(d, exist_ok=True)
    for i in range(max(1, int(500 * scale))):
        with open(os.path.join(d, f"evidence-{i:04}.bin"), "wb") as f:
            f.write(rnd.read(1 << 20))
PY
age-keygen -o "$work/key.txt" 2> /dev/null
key=$(age-keygen -y "$work/key.txt")
bytes=$(du -sb "$work/case" | cut -f1)
echo "case: $(find "$work/case" -type f | wc -l) files, $bytes bytes"
now() { date +%s.%N; }
sync
t0=$(now)
"$bin" export --case "$work/case" --to "$key" --out "$work/shodo.age" > /dev/null
t1=$(now)
tar -cf - -C "$work" case | age -r "$key" -o "$work/peer.age"
sync "$work/peer.age"  # shodo fsyncs the archive before it records it
t2=$(now)
"$bin" export --verify "$work/shodo.age" --identity "$work/key.txt" > /dev/null
t3=$(now)
age -d -i "$work/key.txt" "$work/peer.age" | tar -t > /dev/null
t4=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" "$t4" <<'PY'
import sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6])
e, p, v, d = t1 - t0, t2 - t1, t3 - t2, t4 - t3
print(f"export:  shodo {e:7.2f} s   tar | age    {p:7.2f} s   ratio {e / p:5.2f}  (goal <= 1.20)")
print(f"verify:  shodo {v:7.2f} s   age -d | tar {d:7.2f} s   ratio {v / d:5.2f}  (goal <= 1.50)")
PY
[ -n "${SHODO_BENCH_KEEP:-}" ] || rm -rf "$work"
