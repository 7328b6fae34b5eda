/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the protocol v2 codec (built and run by tests/fuzz/run.sh).
 * Every 64-byte window of the input is decoded; whatever decodes must encode back to
 * the very same bytes, so the decoder accepts nothing the encoder would not write.
 */
#include <stdlib.h>
#include <string.h>

#include "timesync_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A HELLO of another version keeps only type, version and magic (bytes 0..15). */
static size_t meaningful_bytes(const struct ts_msg *msg)
{
	if (msg->type == TS_MSG_HELLO && msg->hello.version != TS_PROTO_VERSION)
		return 16;
	return TS_MSG_SIZE;
}

static void check_window(const uint8_t *in)
{
	static const uint8_t zero[TS_MSG_SIZE];
	uint8_t out[TS_MSG_SIZE];
	struct ts_msg msg;
	size_t kept;
	char err[128];

	if (ts_msg_decode(in, &msg) != 0)
		return;
	ts_msg_encode(&msg, out);
	kept = meaningful_bytes(&msg);
	if (memcmp(in, out, kept) != 0 || memcmp(out + kept, zero, TS_MSG_SIZE - kept) != 0)
		abort();
	if (msg.type == TS_MSG_GOODBYE && !memchr(msg.goodbye.text, 0, TS_GOODBYE_TEXT_SIZE))
		abort();
	if (msg.type == TS_MSG_HELLO &&
	    (ts_proto_check_hello(&msg, err, sizeof(err)) == 0) !=
		    (msg.hello.version == TS_PROTO_VERSION))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t at = 0; at + TS_MSG_SIZE <= size; at++)
		check_window(data + at);
	return 0;
}
