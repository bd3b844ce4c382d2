#!/usr/bin/env bash
# Event-log speed and memory against `evtx_dump` (the evtx crate's CLI), one run each:
#   shodo analyze PATH (parse + every detection)   vs   evtx_dump -o jsonl (parse + render)
# over the corpora's EVTX files (decompressed), and over one large log made by repeating the
# chunks of the biggest sample (so that a bounded memory shows). Each tool runs five times,
# alternately (a shared machine's speed drifts); prints the ratio of the median times and both
# peak resident sizes (goals: ratio <= 1.0; shodo's peak under 300 MB).
#
# Usage: benches/evtx.sh [CORPORA_DIR] [LARGE_MB]   (defaults ../shared/corpora, 512)
# Needs `evtx_dump` on PATH; otherwise it is built once with `cargo install evtx` into
# target/bench-tools.
set -euo pipefail
cd "$(dirname "$0")/.."
corpora=${1:-../shared/corpora}
large_mb=${2:-512}
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
dump=$(command -v evtx_dump || true)
if [ -z "$dump" ]; then
  tools=target/bench-tools
  [ -x "$tools/bin/evtx_dump" ] || cargo install --quiet --locked --root "$tools" --target x86_64-unknown-linux-gnu evtx
  dump="$tools/bin/evtx_dump"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs"
i=0
find "$corpora" -name '*.evtx' -o -name '*.evtx.xz' | sort | while read -r f; do
  i=$((i + 1))
  case "$f" in *.xz) xz -dc "$f" > "$work/logs/$i.evtx" ;; *) cp "$f" "$work/logs/$i.evtx" ;; esac
done
python3 - "$work/logs" "$work/large.evtx" "$large_mb" <<'PY'
import os, struct, sys, zlib
logs, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
biggest = max((os.path.join(logs, f) for f in os.listdir(logs)), key=os.path.getsize)
data = open(biggest, "rb").read()
chunks = [data[o:o + 65536] for o in range(4096, len(data) - 65535, 65536) if data[o:o + 8] == b"ElfChnk\0"]
n = min(65535, mb * 16)
header = bytearray(data[:4096])
struct.pack_into("<QQ", header, 8, 0, n - 1)
struct.pack_into("<H", header, 42, n)
struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
with open(out, "wb") as f:
    f.write(header)
    for k in range(n):
        f.write(chunks[k % len(chunks)])
PY
run() { # label, command...: prints seconds and peak RSS (MiB) of the command
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
dt = time.monotonic() - t
print(f"{sys.argv[1]} {dt:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}")
PY
}
files=$(ls "$work/logs" | wc -l)
echo "corpus: $files logs, $(du -sm "$work/logs" | cut -f1) MB; large log: $(du -sm "$work/large.evtx" | cut -f1) MB; threads: $(nproc)"
for target in logs large; do
  path="$work/logs"; [ "$target" = large ] && path="$work/large.evtx"
  if [ "$target" = logs ]; then
    dump_cmd=(bash -c 'for f in "$1"/*.evtx; do "$0" -o jsonl "$f"; done' "$dump" "$path")
  else
    dump_cmd=("$dump" -o jsonl "$path")
  fi
  run warm "$bin" analyze --json "$path" > /dev/null
  s_times=() d_times=() s_mem=0 d_mem=0
  for _ in 1 2 3 4 5; do
    read -r _ t m < <(run shodo "$bin" analyze --json "$path"); s_times+=("$t"); s_mem=$(( m > s_mem ? m : s_mem ))
    read -r _ t m < <(run evtx_dump "${dump_cmd[@]}"); d_times+=("$t"); d_mem=$(( m > d_mem ? m : d_mem ))
  done
  python3 -c "
import statistics
s, d = statistics.median([$(IFS=,; echo "${s_times[*]}")]), statistics.median([$(IFS=,; echo "${d_times[*]}")])
print(f'$target: shodo analyze {s:7.2f} s, peak {$s_mem:5d} MiB   evtx_dump -o jsonl {d:7.2f} s, peak {$d_mem:5d} MiB   time ratio {s / d:5.2f}  (medians of 5; goals: <= 1.00; shodo peak < 300 MiB)')"
done
