#!/usr/bin/env bash
# Writes shodo.iso to a USB stick (or a disk image) and adds the exFAT partition SHODO-CASE after
# it, where the cases and the hospital's shodo.toml are kept (Windows sees it too, to put
# shodo.toml there in peacetime).
#
#   sudo iso-builder/make-stick.sh [--iso FILE] [--yes] /dev/sdX     # a whole USB stick: erased
#   iso-builder/make-stick.sh [--iso FILE] [--case-size 1GiB] stick.img   # an image file
#
# Needs: sfdisk (fdisk), mkfs.exfat (exfatprogs); root for a device.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
iso=$(dirname "$here")/shodo.iso
case_size=1GiB
yes=no
target=""

die() { echo "make-stick.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
		--iso) iso=$2; shift 2 ;;
		--case-size) case_size=$2; shift 2 ;;
		--yes) yes=yes; shift ;;
		-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
		-*) die "unknown option: $1 (see --help)" ;;
		*) [ -z "$target" ] || die "one target only"; target=$1; shift ;;
	esac
done
[ -n "$target" ] || die "name the stick (/dev/sdX) or an image file (see --help)"
[ -f "$iso" ] || die "no ISO at $iso (iso-builder/build.sh makes it)"
for t in sfdisk mkfs.exfat; do command -v "$t" >/dev/null || die "missing $t — apt-get install fdisk exfatprogs"; done

bytes() {
	[[ "$1" =~ ^([0-9]+)([KMGT]?)(i?B)?$ ]] || die "not a size: $1 (e.g. 1GiB)"
	local n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
	case "$unit" in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; T) n=$((n << 40)) ;; esac
	echo "$n"
}
iso_size=$(stat -c %s "$iso")
mib=1048576

if [ -b "$target" ]; then
	[ "$(id -u)" = 0 ] || die "writing a device needs root"
	[ "$(lsblk -dno TYPE "$target")" = disk ] || die "$target is not a whole disk (name the stick itself, e.g. /dev/sdb)"
	if lsblk -lnpo MOUNTPOINT "$target" | grep -q .; then
		die "$target has mounted filesystems: $(lsblk -lnpo NAME,MOUNTPOINT "$target" | awk '$2 != "" {print $1 " on " $2}' | tr '\n' ' ')"
	fi
	dev_size=$(blockdev --getsize64 "$target")
	[ "$dev_size" -gt $((iso_size + 64 * mib)) ] || die "$target ($((dev_size / mib)) MiB) is too small: the ISO is $((iso_size / mib)) MiB and SHODO-CASE needs at least 64 MiB more"
	echo "$target: $(lsblk -dno MODEL,SIZE "$target" | tr -s ' ') — everything on it will be erased."
	if [ "$yes" != yes ]; then
		[ -t 0 ] || die "not asking without a terminal: add --yes to erase $target"
		read -r -p "Type the device name ($target) to go on: " answer
		[ "$answer" = "$target" ] || die "not confirmed; nothing written"
	fi
	blockdev --setrw "$target"
	dd if="$iso" of="$target" bs=4M conv=fsync status=progress
	printf 'type=7\n' | sfdisk --quiet --append --no-reread "$target"
	blockdev --rereadpt "$target" 2>/dev/null || partx --update "$target"
	udevadm settle 2>/dev/null || sleep 2
	part=$(lsblk -lnpo NAME "$target" | tail -n 1)
	[ "$part" != "$target" ] || die "the new partition did not appear on $target"
	mkfs.exfat -L SHODO-CASE "$part" >/dev/null
	mnt=$(mktemp -d)
	if mount -t exfat "$part" "$mnt"; then
		cp "$(dirname "$here")/shodo.example.toml" "$mnt/"
		umount "$mnt"
	else
		echo "note: could not mount $part here; copy shodo.example.toml onto SHODO-CASE as shodo.toml from any PC" >&2
	fi
	rmdir "$mnt"
	sync
	echo "done: $target — boot it; the cases go to its SHODO-CASE partition ($part)"
else
	[ ! -e "$target" ] || [ -f "$target" ] || die "$target is neither a block device nor a regular file"
	extra=$(bytes "$case_size")
	[ "$extra" -ge $((64 * mib)) ] || die "--case-size must be at least 64MiB"
	start=$(((iso_size + mib - 1) / mib * mib))
	rm -f "$target"
	truncate -s $((start + extra)) "$target"
	dd if="$iso" of="$target" bs=4M conv=notrunc status=none
	printf 'start=%d, type=7\n' $((start / 512)) | sfdisk --quiet --append "$target"
	# The exFAT filesystem is made in a file of its own and put in place: no loop device needed.
	fsimg=$(mktemp "${TMPDIR:-/tmp}/shodo-case.XXXXXX")
	truncate -s "$extra" "$fsimg"
	mkfs.exfat -L SHODO-CASE "$fsimg" >/dev/null
	dd if="$fsimg" of="$target" bs=1M seek=$((start / mib)) conv=notrunc status=none
	rm -f "$fsimg"
	echo "done: $target ($(((start + extra) / mib)) MiB; SHODO-CASE is partition 3, empty: put shodo.toml on it from any PC)"
fi
