#!/usr/bin/env bash
# Fuzzes every parser shodo owns or feeds (tests/fuzz/targets.rs) with libFuzzer through
# cargo-fuzz, each for a short budget, starting from the kept corpus (tests/fuzz/corpus/<target>)
# plus seeds made from the project's own data (the demo case and endpoint, rules, playbooks).
# New inputs go to a scratch corpus, not into the tree; a crash or a hang is copied to
# tests/fuzz/regressions/<target>/ (replayed by every `cargo test` from then on: tests/it/fuzz_corpus.rs)
# and fails the run.
#
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 20 s, every target)
# SHODO_FUZZ_KEEP=1 adds up to 40 small inputs per target from the run to tests/fuzz/corpus/.
# Each input may take up to 60 s: the first one in a fresh process compiles the bundled lists and
# rules, which is slow in an unoptimised, sanitised build; a parser that hangs is still caught.
# Needs cargo-fuzz (installed into target/tools when missing). The toolchain is stable:
# RUSTC_BOOTSTRAP lets cargo-fuzz pass the sanitizer and coverage flags.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-20}
shift || true
root=$PWD
fuzz=tests/fuzz
tools=$root/target/tools
cargo_fuzz=$(command -v cargo-fuzz || true)
if [ -z "$cargo_fuzz" ]; then
	[ -x "$tools/bin/cargo-fuzz" ] || cargo install --quiet --locked --root "$tools" cargo-fuzz
	cargo_fuzz=$tools/bin/cargo-fuzz
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(sed -n 's/^    ("\([a-z_]*\)", .*/\1/p' $fuzz/targets.rs)
export RUSTC_BOOTSTRAP=1
fz() { "$cargo_fuzz" fuzz "$1" --fuzz-dir $fuzz --target-dir "$root/target/fuzz" --dev -s address "${@:2}"; }
echo "building ${#targets[@]} fuzz targets (cargo-fuzz, AddressSanitizer)…"
fz build > "$root/target/fuzz-build.log" 2>&1 || { tail -n 30 "$root/target/fuzz-build.log"; exit 1; }

# Seeds from the project's own data.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
"$bin" demo --out "$work/demo" > /dev/null
"$bin" backup baseline "$work/demo/material/backup" --out "$work/baseline.hashdeep" > /dev/null
add() { local t=$1; shift; mkdir -p "$work/seeds/$t"; for f in "$@"; do [ -f "$f" ] && cp "$f" "$work/seeds/$t/$(basename "$f")-$(sha256sum "$f" | cut -c1-8)"; done; true; }
case_dir=$work/demo/case
ep=$(ls -d "$case_dir"/endpoints/*/ | head -n 1)
add config shodo.example.toml "$work/demo/material/shodo.toml"
add custody "$case_dir/custody.jsonl"
add collect_manifest "$ep/manifest.jsonl"
add backup_manifest "$work/baseline.hashdeep"
add catalogue rules/artefacts/*.toml
add playbook playbooks/*.toml
add evtx "$work"/demo/material/endpoint/Windows/System32/winevt/Logs/*.evtx
add hive "$work"/demo/material/endpoint/Windows/System32/config/*
add hive_writer "$work"/demo/material/endpoint/Windows/System32/config/SYSTEM
add ransom_note "$work"/demo/material/endpoint/Users/*/Desktop/*.txt
add archive "$ep"/evidence-0001.zip
# A small ELF of our own making (the C compiler the build machines have).
printf 'int main(void) { return 0; }\n' | cc -x c -O2 -o "$work/elf" - && add binary "$work/elf"
printf '2026-11-21 03:10\n' > "$work/t1"; add operator_input "$work/t1"

failed=()
for t in "${targets[@]}"; do
	scratch=$work/corpus/$t
	mkdir -p "$scratch" "$fuzz/corpus/$t"
	cp -r "$fuzz/corpus/$t/." "$scratch/" 2>/dev/null || true
	[ -d "$work/seeds/$t" ] && cp -r "$work/seeds/$t/." "$scratch/"
	artifacts=$work/artifacts/$t
	mkdir -p "$artifacts"
	log=$root/target/fuzz-$t.log
	if fz run "$t" "$scratch" -- -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -max_len=1048576 \
		-artifact_prefix="$artifacts/" -print_final_stats=1 > "$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		printf '%-18s ok      %8s runs in %s s, corpus %s\n' "$t" "${execs:-?}" "$secs" "$(ls "$scratch" | wc -l)"
		if [ -n "${SHODO_FUZZ_KEEP:-}" ]; then
			# Keep up to 40 of the smallest inputs (under 16 KiB) as the tree's corpus.
			find "$scratch" -type f -size -16k -printf '%s %p\n' | sort -n | head -n 40 | cut -d' ' -f2- |
				while read -r f; do cp "$f" "$fuzz/corpus/$t/$(sha1sum "$f" | cut -c1-40)"; done
		fi
	else
		mkdir -p "$fuzz/regressions/$t"
		cp "$artifacts"/* "$fuzz/regressions/$t/" 2>/dev/null || true
		printf '%-18s FAILED  reproducer kept in %s/regressions/%s (log: %s)\n' "$t" "$fuzz" "$t" "$log"
		grep -m 5 -E 'panicked|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /' || true
		failed+=("$t")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzzing found problems in: ${failed[*]}"
	exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${secs} s each, no crash"
