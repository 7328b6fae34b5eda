# The plugin's .so exports only what QEMU looks up (qemu_plugin_install, qemu_plugin_version):
# nothing of the sync core, libtimesync or the logs leaks into QEMU's process.
. "$(dirname "$0")/lib.sh"

# AddressSanitizer adds its own __odr_asan.* marker for each exported global: not ours.
nm -D --defined-only "$PLUGIN" | awk '$3 !~ /^__odr_asan\./ { print $3 }' | sort >"$WORK/exports"
check_eq "exported symbols" "qemu_plugin_install qemu_plugin_version" "$(tr '\n' ' ' <"$WORK/exports" | sed 's/ $//')"
finish
