#!/usr/bin/env bash
# Packs the Linux test guest's initramfs: busybox-static as /bin/busybox, /init (init in
# this directory) and /bin/guest-clock (guest-clock.c, built here with clang for ARCH).
#   build-initramfs.sh OUTPUT [BUSYBOX [ARCH]]
# BUSYBOX defaults to /bin/busybox, ARCH (x86_64, aarch64 or riscv64: the guest's) to
# x86_64. A busybox of another architecture than the host's is checked by its ELF header
# only.
# Needs clang, lld, cpio and gzip (scripts/setup-linux-guest.sh installs them); no root.
# The archive is reproducible (fixed owners, dates and order), so the same sources give
# the same bytes, and the guest the same boot, whoever builds it.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OUTPUT [BUSYBOX [ARCH]]" >&2
	exit 2
fi
output=$1
busybox=${2:-/bin/busybox}
arch=${3:-x86_64}
source_dir=$(cd "$(dirname "$0")" && pwd)

# e_machine of an ELF file (little-endian), as ARCH names it.
case $arch in
x86_64) elf_machine='3e 00' ;;
aarch64) elf_machine='b7 00' ;;
riscv64) elf_machine='f3 00' ;;
*)
	echo "$0: unknown architecture '$arch' (x86_64, aarch64 or riscv64)" >&2
	exit 2
	;;
esac
if [ "$(od -A n -t x1 -j 18 -N 2 "$busybox" 2>/dev/null | tr -s ' ' | sed 's/^ //')" != "$elf_machine" ]; then
	echo "$0: $busybox is not an $arch program (install busybox-static for $arch)" >&2
	exit 1
fi
# grep without -q: it reads the whole list, so busybox never dies of SIGPIPE (pipefail).
if [ "$arch" = "$(uname -m)" ] && ! "$busybox" --list 2>/dev/null | grep -x poweroff >/dev/null; then
	echo "$0: $busybox is not a working busybox (install busybox-static)" >&2
	exit 1
fi

staging=$(mktemp -d "${TMPDIR:-/tmp}/timesync-initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
root="$staging/root"
mkdir -p "$root/bin" "$root/dev" "$root/proc"
cp "$busybox" "$root/bin/busybox"
cp "$source_dir/init" "$root/init"
clang --target="$arch-linux-gnu" -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding \
	-fno-stack-protector -fno-pic -fuse-ld=lld \
	-o "$root/bin/guest-clock" "$source_dir/guest-clock.c"
chmod 0755 "$root" "$root"/* "$root/bin"/* "$root/init"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n >"$staging/initramfs.cpio.gz"
mv "$staging/initramfs.cpio.gz" "$output"
