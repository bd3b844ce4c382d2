#!/usr/bin/env bash
# Encrypted-file detection on a generated evaluation set (benches/eval-encryption.py does the work):
#   plaintext files of 30 formats hospitals keep (OOXML, OLE2 .doc/.xls/.jtd, PDF, SQLite, CSV in
#   UTF-8 and Shift-JIS, text in UTF-8 and UTF-16, JSON, XML, HTML, RTF, PNG, BMP, TIFF, WAV,
#   DICOM, MP4, EVTX, zip, tar, gzip, VHD/VHDX/VMDK made by qemu-img from an ext4 disk), written by
#   real format writers or by hand to the format's specification, from 100 B to about 100 MB in six
#   size classes; copies encrypted with ChaCha20 or AES-256-CTR (a random key per file) as families
#   do: whole, head only (4 KiB, 64 KiB, 1 MiB), stripes (64 KiB every 1 MiB, 1 MiB every 10 MiB),
#   10 % and 20 % in ten blocks, every other 16 bytes (LockFile), tail only (1 MiB, 10 %); named
#   `name.ext.<extension no list knows>` (this run's, from the seed, and a fixed one) or left under
#   their own name (in place);
#   a benign set: files of this machine (/usr/share, /usr/lib, packages, archives, fonts, icons,
#   locales, libraries), generated look-alikes (Office temp files, renamed backups, password zips
#   and OOXML, compressed streams under neutral names, .deb, .whl, .pyc, squashfs, ISO) and, apart,
#   encrypted containers (LUKS made by cryptsetup, VeraCrypt-like random volumes, KeePass, age,
#   gpg, openssl, the BitLocker images of ../shared/corpora, read in place and never modified).
# `shodo scan --ndjson` over all of it; prints detection per pattern x size class (goals: >= 98 %
# of encrypted files of 4 KiB or more, >= 90 % below, for every pattern), per name style and per
# format, the false alarms on the benign set (goal 0) and how each container is classified.
# Prints GOAL MISSED lines; always exits 0 (a measurement).
#
# Usage: benches/eval-encryption.sh [--quick] [--seed N] [--budget GB] [--benign N] [--keep DIR]
#   --quick   a small run (at most about 300 MB generated, files up to a few MiB)
#   --seed N  names, sizes and content from N (default: from the clock; printed); keys are random
#   --budget  most bytes generated in GB (default 10; halved free space at most, with a note)
#   --keep    copy the ground truth (manifest.jsonl) and the scan's events there
# Needs python3 with `cryptography`; qemu-img, mke2fs, sfdisk, cryptsetup, zip, age, gpg, xorriso
# and mksquashfs when present (what is missing is left out and said so).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=target/x86_64-unknown-linux-gnu/release/shodo
[ -x "$bin" ] || cargo build --release --locked
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/eval-encryption.py --bin "$bin" --work "$work" --corpora ../shared/corpora "$@" ||
  echo "eval-encryption: the evaluation stopped early (exit $?)"
exit 0
