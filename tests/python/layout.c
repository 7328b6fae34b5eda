/* SPDX-License-Identifier: MIT */
/*
 * Prints what the Python package (python/timesync) writes out by hand: the size and every
 * field offset of the structs it passes to libtimesync through ctypes, and the values of
 * the constants (macros and enums, not in libtimesync.so). test_layout.py compares them.
 * One line each: "size STRUCT N", "offset STRUCT.FIELD N" or "constant NAME VALUE".
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "timesync.h"
#include "timesync_proto.h"

#define SIZE(type) printf("size %s %zu\n", #type, sizeof(struct type))
#define OFFSET(type, field) printf("offset %s.%s %zu\n", #type, #field, offsetof(struct type, field))
#define CONSTANT(name) printf("constant %s %" PRId64 "\n", #name, (int64_t)(name))

int main(void)
{
	SIZE(ts_wait);
	OFFSET(ts_wait, spin_ns);
	OFFSET(ts_wait, slice_ms);
	OFFSET(ts_wait, keep_waiting);
	OFFSET(ts_wait, arg);
	SIZE(ts_link_config);
	OFFSET(ts_link_config, transport);
	OFFSET(ts_link_config, host_to_guest);
	OFFSET(ts_link_config, guest_to_host);
	OFFSET(ts_link_config, path);
	OFFSET(ts_link_config, wait);
	SIZE(ts_session_config);
	OFFSET(ts_session_config, link);
	OFFSET(ts_session_config, protocol);
	OFFSET(ts_session_config, quantum_ns);
	OFFSET(ts_session_config, capabilities);
	SIZE(ts_halt);
	OFFSET(ts_halt, reason);
	OFFSET(ts_halt, flags);
	OFFSET(ts_halt, seq);
	OFFSET(ts_halt, guest_ns);
	OFFSET(ts_halt, instructions);
	SIZE(ts_goodbye);
	OFFSET(ts_goodbye, reason);
	OFFSET(ts_goodbye, text);
	printf("size enum_ts_transport %zu\n", sizeof(enum ts_transport));
	printf("size enum_ts_role %zu\n", sizeof(enum ts_role));

	CONSTANT(TS_PROTO_VERSION);
	CONSTANT(TS_GOODBYE_TEXT_SIZE);
	CONSTANT(TS_ERR_NAME_SIZE);
	CONSTANT(TS_TRANSPORT_FIFO);
	CONSTANT(TS_TRANSPORT_SOCKET);
	CONSTANT(TS_TRANSPORT_SHM);
	CONSTANT(TS_ROLE_GUEST);
	CONSTANT(TS_ROLE_PARTICIPANT);
	CONSTANT(TS_HALT_QUANTUM);
	CONSTANT(TS_HALT_GRANTED);
	CONSTANT(TS_HALT_IDLE);
	CONSTANT(TS_HALT_CLOCK_RESET);
	CONSTANT(TS_GOODBYE_POWEROFF);
	CONSTANT(TS_GOODBYE_QUIT);
	CONSTANT(TS_GOODBYE_DONE);
	CONSTANT(TS_GOODBYE_ERROR);
	CONSTANT(TS_GOODBYE_VERSION);
	CONSTANT(TS_CAP_IDLE_TIME);
	CONSTANT(TS_CAP_LOOKAHEAD);
#define TS_ERRNO_CONSTANT(name, value, text) CONSTANT(name);
	TS_ERRNO_MAP(TS_ERRNO_CONSTANT)
#undef TS_ERRNO_CONSTANT
	return 0;
}
