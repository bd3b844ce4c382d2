# Shared by shodo's boot scripts (sourced).

# The disk the live system booted from (/dev/sr0 for a CD, /dev/sdX for a stick), empty if unknown.
medium_disk() {
	_medium=$(findmnt -no SOURCE /run/live/medium 2>/dev/null | head -n 1)
	[ -n "$_medium" ] || return 0
	_parent=$(lsblk -no PKNAME "$_medium" 2>/dev/null | head -n 1)
	if [ -n "$_parent" ]; then echo "/dev/$_parent"; else echo "$_medium"; fi
}

# The disk a partition belongs to (the device itself when it is a whole disk).
disk_of() {
	_parent=$(lsblk -no PKNAME "$1" 2>/dev/null | head -n 1)
	if [ -n "$_parent" ]; then echo "/dev/$_parent"; else echo "$1"; fi
}
