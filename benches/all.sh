#!/usr/bin/env bash
# Runs every benchmark once, one after another (each compares shodo with its peer in the same
# run), keeps their full output in target/bench/, and rewrites the summary table in
# benches/README.md from this run: the machine, the commit, and each bench's result lines.
#
# Usage: benches/all.sh [BENCH...]   (default: collect scan evtx backup report export; boot is
#        separate: it builds and boots the ISO, see benches/boot.sh)
# SHODO_BENCH_SCALE scales the generated data of collect and export (1 = full size);
# SHODO_BENCH_TIMEOUT (seconds) stops a bench that runs longer (124 in the table).
set -euo pipefail
cd "$(dirname "$0")/.."
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(collect scan evtx backup report export)
mkdir -p target/bench
cargo build --release --locked > /dev/null 2>&1 || cargo build --release --locked

peer() {
	case $1 in
	collect) echo "tar + sha256sum" ;;
	scan) echo "yr (yara-x CLI); yr + sha256sum" ;;
	evtx) echo "evtx_dump -o jsonl" ;;
	backup) echo "hashdeep; sha256sum; openssl" ;;
	report) echo "cat (I/O floor), 1,000 endpoints" ;;
	export) echo "tar \\| age; age -d \\| tar -t" ;;
	boot) echo "budgets of issue 10" ;;
	*) echo "?" ;;
	esac
}

rows=""
for b in "${benches[@]}"; do
	log=target/bench/$b.log
	echo "== $b (log: $log)"
	start=$(date +%s)
	if timeout "${SHODO_BENCH_TIMEOUT:-0}" bash "benches/$b.sh" > "$log" 2>&1; then status=ok; else status="failed ($?)"; fi
	secs=$(( $(date +%s) - start ))
	# A bench's result lines are those with a ratio or a goal in them.
	result=$(grep -E 'ratio|goal|->' "$log" | sed 's/^ *//; s/|/\\|/g' | paste -sd '\n' - | sed ':a;N;$!ba;s/\n/<br>/g' || true)
	[ -n "$result" ] || result="(no result line; see the log)"
	tail -n 5 "$log" | sed 's/^/   /'
	rows+="| $b | $(peer "$b") | $result | $status, ${secs} s |"$'\n'
done

machine="$(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
table=$(
	printf '<!-- bench-table: written by benches/all.sh -->\n'
	printf 'Latest run: %s UTC, commit %s, %s, scale %s.\n\n' "$(date -u '+%Y-%m-%d %H:%M')" "$commit" "$machine" "${SHODO_BENCH_SCALE:-1}"
	printf '| bench | peer | result (from the run) | run |\n| --- | --- | --- | --- |\n'
	printf '%s' "$rows"
	printf '<!-- /bench-table -->\n'
)
readme=benches/README.md
python3 - "$readme" "$table" <<'PY'
import sys, re
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- bench-table: .*?<!-- /bench-table -->\n?", re.S)
text = pattern.sub(lambda _: table + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + table + "\n"
open(path, "w").write(text)
PY
echo "summary written to $readme"
