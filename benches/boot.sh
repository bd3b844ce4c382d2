#!/usr/bin/env bash
# The bootable stick against its budget: build the ISO (≤ 10 minutes), its size (≤ 500 MB), and
# boot to shodo's home screen on tty1 under QEMU's software emulation, no KVM (≤ 60 s), from
# one run of the boot test (tests/boot.rs, as root). Prints each measure and its ratio to the
# budget (below 1.0 is within it). SHODO_ISO=path skips the build and times the boots alone.
#
# Usage: sudo benches/boot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --locked --test boot -- --nocapture >target/boot-bench.log 2>&1 ||
	{ tail -n 40 target/boot-bench.log; echo "the boot test failed (log: target/boot-bench.log)"; exit 1; }
summary=target/boot-test/summary.txt
awk '
	$1 == "build_seconds"        { printf "ISO build           %6d s    budget   600 s   ratio %.2f\n", $2, $2 / 600 }
	$1 == "iso_bytes"            { printf "ISO size            %6d MB   budget   500 MB  ratio %.2f\n", $2 / 1e6, $2 / 500e6 }
	$1 == "boot_to_shodo_seconds" { printf "boot to shodo (TCG) %6d s    budget    60 s   ratio %.2f\n", $2, $2 / 60 }
	$1 ~ /selftest_seconds/      { printf "%-19s %6d s    (boot and the whole self-check)\n", $1, $2 }
' "$summary"
