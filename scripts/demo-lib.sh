# What the participant demos (examples/ns3/demo.sh, examples/systemc/demo.sh) share.
# shellcheck shell=bash

# demo_build BUILD PARTICIPANT PKG_CONFIG_NAME WHAT: builds BUILD (configuring it first
# when needed) so that the participant PARTICIPANT exists; exits with a message when WHAT
# (the simulator, found as PKG_CONFIG_NAME) is not installed.
demo_build() {
	local build=$1 participant=$2 pkg=$3 what=$4
	if ! pkg-config --exists "$pkg"; then
		echo "demo: $what is not installed: run scripts/setup.sh first" >&2
		exit 1
	fi
	[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
	meson compile -C "$build" >/dev/null
	if [ ! -x "$participant" ]; then
		# Configured before the simulator was installed: look for it again.
		meson setup --reconfigure "$build" >/dev/null
		meson compile -C "$build" >/dev/null
	fi
}
