/* SPDX-License-Identifier: MIT */
/* The plugin's key=value options, parsed without QEMU so unit tests can call it. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>
#include <stdint.h>

struct ts_options {
	const char *host_to_guest; /* HostToGuestPipe=: the participant writes, we read */
	const char *guest_to_host; /* GuestToHostPipe=: we write, the participant reads */
	uint64_t quantum_ns;       /* TimeInMicroseconds= x 1000, or TimeInNanoseconds= */
};

/*
 * Parses QEMU's plugin arguments ("key=value" strings). Keys are case-insensitive.
 * Returns 0, or -1 with a message naming the offending option in err. The strings in
 * *opts point into argv.
 */
int ts_options_parse(struct ts_options *opts, int argc, char **argv, char *err, size_t err_len);

#endif
