#!/usr/bin/env bash
# Builds shodo.iso: a hybrid ISO (BIOS and UEFI, CD and USB, Secure Boot through Debian's signed
# shim, GRUB and kernel) with a Debian bookworm live root that starts shodo on tty1 (kmscon draws
# Japanese) and on the serial console, every disk read-only.
#
#   sudo iso-builder/build.sh [--binary PATH] [--out FILE] [--work DIR] [--mirror URL] [--fresh]
#
# The debootstrap result is kept in WORK/base and used again while the package list and mirror are
# the same; --fresh makes it anew (from the .debs kept in WORK/debs, so without downloading).
# Needs root (debootstrap, chroot) and: debootstrap squashfs-tools xorriso mtools dosfstools.
# Reproducible: the same inputs (binary, this folder, the Debian packages fetched, and
# SOURCE_DATE_EPOCH — by default the time of the last commit) give the same ISO byte for byte.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
binary=$repo/target/x86_64-unknown-linux-gnu/release/shodo
out=$repo/shodo.iso
work=${SHODO_ISO_WORK:-/var/tmp/shodo-iso}
mirror=${SHODO_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
label=SHODO
fresh=no

die() { echo "build.sh: $*" >&2; exit 2; }
step() { echo "== $(date -u +%H:%M:%S) $*"; }

while [ $# -gt 0 ]; do
	case "$1" in
		--binary) binary=$2; shift 2 ;;
		--out) out=$2; shift 2 ;;
		--work) work=$2; shift 2 ;;
		--mirror) mirror=$2; shift 2 ;;
		--fresh) fresh=yes; shift ;;
		-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
		*) die "unknown argument: $1 (see --help)" ;;
	esac
done

[ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot)"
missing=""
for t in debootstrap mksquashfs xorriso mkfs.vfat mcopy mmd; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -z "$missing" ] || die "missing:$missing — apt-get install debootstrap squashfs-tools xorriso mtools dosfstools"
[ -x "$binary" ] || die "no shodo binary at $binary (cargo build --release first, or --binary PATH)"
file_out=$(file -b "$binary" 2>/dev/null || true)
case "$file_out" in *"dynamically linked"*) die "$binary is dynamically linked; the stick needs the static build" ;; esac

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 1767225600)
fi
export SOURCE_DATE_EPOCH
export LC_ALL=C.UTF-8 TZ=UTC DEBIAN_FRONTEND=noninteractive
version=$("$binary" --version | awk '{print $2}')
stamp=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S)

mkdir -p "$work"
root=$work/root
iso=$work/iso
debs=$work/debs
mkdir -p "$debs"

cleanup() {
	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	return 0
}
trap cleanup EXIT

# 1. The root: debootstrap from Debian's packages. The .debs are kept in $work/debs, so a second
# build uses the very same packages.
packages=$(grep -v '^\s*#' "$here/packages.txt" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
base=$work/base
key=$(printf '%s %s %s\n' "$suite" "$mirror" "$packages" | sha256sum | cut -c1-16)
if [ "$fresh" = no ] && [ "$(cat "$base/.shodo-base" 2>/dev/null)" = "$key" ]; then
	step "debootstrap $suite: reusing $base (same packages and mirror)"
else
	step "debootstrap $suite ($mirror)"
	rm -rf "$base"
	debootstrap --variant=minbase --include="$packages" --cache-dir="$debs" "$suite" "$base" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
	echo "$key" >"$base/.shodo-base"
fi
rm -rf "$root"
cp -a "$base" "$root"
rm -f "$root/.shodo-base"

# Boot loaders are taken from their packages, not installed into the root.
step "signed shim, GRUB (EFI) and GRUB (BIOS) from Debian"
boot=$work/bootpkgs
rm -rf "$boot"
mkdir -p "$boot/debs" "$boot/x"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
chroot "$root" apt-get -q update >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; die "apt-get update in the root failed"; }
chroot "$root" sh -c 'mkdir -p /tmp/bootpkgs && cd /tmp/bootpkgs && apt-get -q download shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed grub-pc-bin grub-common' >>"$work/apt.log" 2>&1 ||
	{ tail -n 20 "$work/apt.log" >&2; die "could not fetch the boot loader packages"; }
mv "$root"/tmp/bootpkgs/*.deb "$boot/debs/"
rmdir "$root/tmp/bootpkgs"
for d in "$boot"/debs/*.deb; do dpkg-deb -x "$d" "$boot/x"; done

# 2. shodo and the system's configuration.
step "shodo $version and the configuration"
cp -r "$here/root/." "$root/"
install -m 0755 "$binary" "$root/usr/local/bin/shodo"
mkdir -p "$root/usr/local/share/shodo"
cp -r "$repo/rules" "$repo/playbooks" "$root/usr/local/share/shodo/"
cp "$repo/shodo.example.toml" "$root/usr/local/share/shodo/"
echo shodo >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tshodo\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf 'LANG=C.UTF-8\n' >"$root/etc/default/locale"
# live-boot writes an interfaces file there; nothing reads it (no ifupdown).
mkdir -p "$root/etc/network"
# No networking service is installed; nothing brings an interface up. No swap, no automount
# (no udisks), no timers that write. The journal stays in memory (journald.conf.d), so there is
# nothing to flush to /var: no journal-flush, which everything after sysinit.target waited for.
chroot "$root" systemctl enable shodo-case.service shodo-console.service shodo-serial.service shodo-selftest.service >/dev/null 2>&1
chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS0.service kmsconvt@tty1.service \
	apt-daily.timer apt-daily-upgrade.timer fstrim.timer e2scrub_all.timer e2scrub_reap.service \
	systemd-networkd.service systemd-networkd.socket systemd-timesyncd.service dpkg-db-backup.timer \
	swap.target systemd-journal-flush.service >/dev/null 2>&1
chroot "$root" passwd -l root >/dev/null
# Kernel modules for hardware a triage boot does not use (sound, cameras and TV, wireless,
# Bluetooth, InfiniBand, industrial I/O, staging, ISDN, KVM): half the modules' size.
kver=$(basename "$(ls -d "$root"/usr/lib/modules/* | sort | tail -n 1)")
for d in sound drivers/media drivers/net/wireless net/mac80211 net/wireless drivers/bluetooth net/bluetooth \
	drivers/infiniband net/rds drivers/iio drivers/staging drivers/isdn arch/x86/kvm; do
	rm -rf "$root/usr/lib/modules/$kver/kernel/$d"
done
chroot "$root" depmod -a "$kver"
# Every file's time is SOURCE_DATE_EPOCH: the debootstrap and this build's own times would
# otherwise reach the initramfs and the squashfs (both only clamp times later than it).
clamp() { find "$root" -xdev -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }
clamp
chroot "$root" update-initramfs -u -k all >"$work/initramfs.log" 2>&1 || { tail -n 20 "$work/initramfs.log" >&2; die "update-initramfs failed"; }

# BIOS: a GRUB core image for El Torito with its modules built in, made by grub-mkimage from
# grub-common run inside the root (which has its libraries).
step "GRUB for BIOS"
mkdir -p "$root/tmp/grub"
cp -r "$boot/x/." "$root/tmp/grub/"
cat >"$root/tmp/grub/early.cfg" <<'EOF2'
search --no-floppy --file --set=root /.disk/shodo
set prefix=($root)/boot/grub
EOF2
chroot "$root" /tmp/grub/usr/bin/grub-mkimage -d /tmp/grub/usr/lib/grub/i386-pc -O i386-pc-eltorito \
	-c /tmp/grub/early.cfg -p /boot/grub -o /tmp/grub/eltorito.img \
	biosdisk iso9660 part_msdos part_gpt fat normal configfile search search_fs_file echo test \
	linux serial terminal terminfo sleep true ls cat halt reboot vga_text >"$work/grub-mkimage.log" 2>&1 ||
	{ cat "$work/grub-mkimage.log" >&2; die "grub-mkimage failed"; }
mv "$root/tmp/grub/eltorito.img" "$work/eltorito.img"
rm -rf "$root/tmp/grub"
cleanup

# 3. What the build leaves that differs from one build to the next, or is not needed.
step "clean the root"
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/tmp/* \
	"$root"/var/tmp/* "$root"/var/cache/ldconfig/aux-cache "$root"/var/cache/fontconfig/* \
	"$root"/var/lib/systemd/random-seed "$root"/var/lib/dbus/machine-id "$root"/etc/*- \
	"$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/boot/*.dpkg-bak \
	"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'ja*' ! -name 'locale.alias' -exec rm -rf {} +
: >"$root/etc/machine-id"
# The days-since-1970 of the last password change would differ between builds.
sed -i -E "s/^([^:]*:[^:]*:)[0-9]+:/\1$((SOURCE_DATE_EPOCH / 86400)):/" "$root/etc/shadow"

# 4. The ISO tree.
step "squashfs"
clamp
rm -rf "$iso"
mkdir -p "$iso/live" "$iso/.disk" "$iso/boot/grub/x86_64-efi" "$iso/boot/grub/i386-pc"
kernel=$(ls "$root"/boot/vmlinuz-* | sort | tail -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | sort | tail -n 1)
cp "$kernel" "$iso/live/vmlinuz"
cp "$initrd" "$iso/live/initrd.img"
# lz4, not zstd: the boot faults systemd and its libraries in page by page, each fault decompressing
# a block, and lz4 decompresses several times faster. Under emulation (kernel loaded directly), the
# serial home screen came after 44 s against 52 s (means of six and five boots); the ISO is a
# quarter larger.
mksquashfs "$root" "$iso/live/filesystem.squashfs" -noappend -comp lz4 -Xhc -b 128K \
	-e boot -mkfs-time "$SOURCE_DATE_EPOCH" -quiet -no-progress >"$work/squashfs.log" 2>&1 ||
	{ tail -n 20 "$work/squashfs.log" >&2; die "mksquashfs failed"; }
printf 'shodo %s (Debian %s, built %s)\n' "$version" "$suite" "$stamp" >"$iso/.disk/info"
: >"$iso/.disk/shodo"
(cd "$boot/debs" && sha256sum ./*.deb) >"$iso/.disk/boot-packages.sha256"
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$iso/.disk/packages.txt" 2>/dev/null || true
cp "$here/grub/grub.cfg" "$iso/boot/grub/grub.cfg"
printf 'source /boot/grub/grub.cfg\n' >"$iso/boot/grub/x86_64-efi/grub.cfg"

cp "$work/eltorito.img" "$iso/boot/grub/i386-pc/eltorito.img"

# UEFI: shim (signed by Microsoft's UEFI CA), Debian's signed GRUB for CDs and its MOK manager, in
# a FAT image that is both the El Torito EFI image and the USB stick's EFI system partition. The
# FAT serial number and every time in it come from SOURCE_DATE_EPOCH.
step "EFI system partition"
efi=$work/efi.img
rm -f "$efi"
# No volume label: mtools rewrites the label entry's time on every write.
mkfs.vfat -C -i "$(printf '%08X' $((SOURCE_DATE_EPOCH & 0xFFFFFFFF)))" "$efi" 8192 >/dev/null
export MTOOLS_SKIP_CHECK=1
stage=$work/efi-stage
rm -rf "$stage"
mkdir -p "$stage/EFI/boot"
cp "$boot/x/usr/lib/shim/shimx64.efi.signed" "$stage/EFI/boot/bootx64.efi"
cp "$boot/x/usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed" "$stage/EFI/boot/grubx64.efi"
cp "$boot/x/usr/lib/shim/mmx64.efi.signed" "$stage/EFI/boot/mmx64.efi"
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mcopy -s -m -i "$efi" "$stage/EFI" ::/

# 5. The hybrid ISO: El Torito for BIOS (GRUB) and EFI, an MBR for USB sticks with the ISO as
# partition 1 and the EFI system partition appended as partition 2 (make-stick.sh adds the
# SHODO-CASE partition after them).
step "ISO"
find "$iso" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$(dirname "$out")"
rm -f "$out"
xorriso -as mkisofs -o "$out" -V "$label" -r -J -joliet-long -iso-level 3 \
	--modification-date="${stamp}00" \
	--grub2-mbr "$boot/x/usr/lib/grub/i386-pc/boot_hybrid.img" \
	-partition_offset 16 --mbr-force-bootable \
	-append_partition 2 0xef "$efi" \
	-c boot/grub/boot.cat \
	-b boot/grub/i386-pc/eltorito.img -no-emul-boot -boot-load-size 4 -boot-info-table --grub2-boot-info \
	-eltorito-alt-boot -e --interval:appended_partition_2:all:: -no-emul-boot \
	"$iso" >"$work/xorriso.log" 2>&1 || { tail -n 20 "$work/xorriso.log" >&2; die "xorriso failed"; }
size=$(stat -c %s "$out")
step "done: $out ($((size / 1048576)) MiB, sha256 $(sha256sum "$out" | cut -d' ' -f1))"
