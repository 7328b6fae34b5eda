#!/usr/bin/env bash
# Packs the Linux test guest's initramfs: busybox-static as /bin/busybox, /init (init in
# this directory) and /bin/guest-clock (guest-clock.c, built here with clang for x86_64).
#   build-initramfs.sh OUTPUT [BUSYBOX]     (BUSYBOX defaults to /bin/busybox)
# Needs clang, lld, cpio and gzip (scripts/setup-linux-guest.sh installs them); no root.
# The archive is reproducible (fixed owners, dates and order), so the same sources give
# the same bytes, and the guest the same boot, whoever builds it.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTPUT [BUSYBOX]" >&2
	exit 2
fi
output=$1
busybox=${2:-/bin/busybox}
source_dir=$(cd "$(dirname "$0")" && pwd)

# grep without -q: it reads the whole list, so busybox never dies of SIGPIPE (pipefail).
if ! "$busybox" --list 2>/dev/null | grep -x poweroff >/dev/null; then
	echo "$0: $busybox is not a working busybox (install busybox-static)" >&2
	exit 1
fi

staging=$(mktemp -d "${TMPDIR:-/tmp}/timesync-initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
root="$staging/root"
mkdir -p "$root/bin" "$root/dev" "$root/proc"
cp "$busybox" "$root/bin/busybox"
cp "$source_dir/init" "$root/init"
clang --target=x86_64-linux-gnu -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding \
	-fno-stack-protector -fno-pic -fuse-ld=lld \
	-o "$root/bin/guest-clock" "$source_dir/guest-clock.c"
chmod 0755 "$root" "$root"/* "$root/bin"/* "$root/init"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n >"$staging/initramfs.cpio.gz"
mv "$staging/initramfs.cpio.gz" "$output"
