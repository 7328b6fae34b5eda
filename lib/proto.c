/* SPDX-License-Identifier: MIT */
/* The protocol v2 codec: struct ts_msg <-> 64-byte little-endian records. */
#include <stdio.h>
#include <string.h>

#include "timesync_proto.h"

/*
 * Offsets and widths come from the ts_wire_* structs, so the header's layout is the only
 * statement of the format. PUT writes value into field of struct w in the record at out,
 * GET reads it, ZERO tells whether it is all zero bytes, AT points at it.
 */
#define PUT(out, w, field, value) \
	put_le((out) + offsetof(struct w, field), sizeof(((struct w *)0)->field), (value))
#define GET(in, w, field) \
	get_le((in) + offsetof(struct w, field), sizeof(((struct w *)0)->field))
#define ZERO(in, w, field) \
	all_zero((in) + offsetof(struct w, field), sizeof(((struct w *)0)->field))
#define AT(in, w, field) ((in) + offsetof(struct w, field))

static void put_le(uint8_t *p, size_t width, uint64_t value)
{
	for (size_t i = 0; i < width; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t width)
{
	uint64_t value = 0;

	for (size_t i = 0; i < width; i++)
		value |= (uint64_t)p[i] << (8 * i);
	return value;
}

static int all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

/* strlen that looks at no more than max bytes (strnlen is POSIX, not C11). */
static size_t bounded_len(const char *s, size_t max)
{
	size_t len = 0;

	while (len < max && s[len])
		len++;
	return len;
}

static void encode_hello(const struct ts_msg *msg, uint8_t *out)
{
	PUT(out, ts_wire_hello, version, msg->hello.version);
	PUT(out, ts_wire_hello, magic, msg->hello.magic);
	PUT(out, ts_wire_hello, capabilities, msg->hello.capabilities);
	PUT(out, ts_wire_hello, quantum_ns, msg->hello.quantum_ns);
	PUT(out, ts_wire_hello, role, msg->hello.role);
}

static void encode_halt(const struct ts_msg *msg, uint8_t *out)
{
	PUT(out, ts_wire_halt, reason, msg->halt.reason);
	PUT(out, ts_wire_halt, seq, msg->halt.seq);
	PUT(out, ts_wire_halt, guest_ns, msg->halt.guest_ns);
	PUT(out, ts_wire_halt, instructions, msg->halt.instructions);
	PUT(out, ts_wire_halt, flags, msg->halt.flags);
	PUT(out, ts_wire_halt, idle_until_ns, msg->halt.idle_until_ns);
}

static void encode_goodbye(const struct ts_msg *msg, uint8_t *out)
{
	/* Stop short of the last byte: the record stays valid even for an unterminated text. */
	size_t len = bounded_len(msg->goodbye.text, TS_GOODBYE_TEXT_SIZE - 1);

	PUT(out, ts_wire_goodbye, reason, msg->goodbye.reason);
	memcpy(AT(out, ts_wire_goodbye, text), msg->goodbye.text, len);
}

void ts_msg_encode(const struct ts_msg *msg, uint8_t out[TS_MSG_SIZE])
{
	memset(out, 0, TS_MSG_SIZE);
	/* type is the first field of every record; any ts_wire_* struct will do. */
	PUT(out, ts_wire_hello, type, msg->type);
	switch (msg->type) {
	case TS_MSG_HELLO:
		encode_hello(msg, out);
		break;
	case TS_MSG_HALT:
		encode_halt(msg, out);
		break;
	case TS_MSG_RUN_UNTIL:
		PUT(out, ts_wire_run_until, until_ns, msg->run_until.until_ns);
		break;
	case TS_MSG_GOODBYE:
		encode_goodbye(msg, out);
		break;
	}
}

static int decode_hello(const uint8_t *in, struct ts_msg *msg)
{
	msg->hello.magic = GET(in, ts_wire_hello, magic);
	msg->hello.version = (uint32_t)GET(in, ts_wire_hello, version);
	if (msg->hello.magic != TS_PROTO_MAGIC)
		return TS_EPROTO;
	/* Beyond the magic another version's HELLO may say anything: leave it to the
	 * version check instead of calling it a protocol error. */
	if (msg->hello.version != TS_PROTO_VERSION)
		return 0;
	if (!ZERO(in, ts_wire_hello, reserved))
		return TS_EPROTO;
	msg->hello.capabilities = GET(in, ts_wire_hello, capabilities);
	msg->hello.quantum_ns = GET(in, ts_wire_hello, quantum_ns);
	msg->hello.role = (uint32_t)GET(in, ts_wire_hello, role);
	return 0;
}

static int decode_halt(const uint8_t *in, struct ts_msg *msg)
{
	if (!ZERO(in, ts_wire_halt, reserved))
		return TS_EPROTO;
	msg->halt.reason = (uint32_t)GET(in, ts_wire_halt, reason);
	msg->halt.seq = GET(in, ts_wire_halt, seq);
	msg->halt.guest_ns = GET(in, ts_wire_halt, guest_ns);
	msg->halt.instructions = GET(in, ts_wire_halt, instructions);
	msg->halt.flags = (uint32_t)GET(in, ts_wire_halt, flags);
	msg->halt.idle_until_ns = GET(in, ts_wire_halt, idle_until_ns);
	return 0;
}

static int decode_run_until(const uint8_t *in, struct ts_msg *msg)
{
	if (!ZERO(in, ts_wire_run_until, reserved0) || !ZERO(in, ts_wire_run_until, reserved))
		return TS_EPROTO;
	msg->run_until.until_ns = GET(in, ts_wire_run_until, until_ns);
	return 0;
}

static int decode_goodbye(const uint8_t *in, struct ts_msg *msg)
{
	const uint8_t *text = AT(in, ts_wire_goodbye, text);
	const uint8_t *nul = memchr(text, 0, TS_GOODBYE_TEXT_SIZE);

	if (!nul)
		return TS_EPROTO;
	/* The bytes after the NUL are padding, reserved like any other. */
	if (!all_zero(nul, (size_t)(text + TS_GOODBYE_TEXT_SIZE - nul)))
		return TS_EPROTO;
	msg->goodbye.reason = (uint32_t)GET(in, ts_wire_goodbye, reason);
	memcpy(msg->goodbye.text, text, TS_GOODBYE_TEXT_SIZE);
	return 0;
}

int ts_msg_decode(const uint8_t in[TS_MSG_SIZE], struct ts_msg *msg)
{
	/* memset, not a compound literal: that would zero only the union's first member. */
	memset(msg, 0, sizeof(*msg));
	msg->type = (uint32_t)GET(in, ts_wire_hello, type);
	switch (msg->type) {
	case TS_MSG_HELLO:
		return decode_hello(in, msg);
	case TS_MSG_HALT:
		return decode_halt(in, msg);
	case TS_MSG_RUN_UNTIL:
		return decode_run_until(in, msg);
	case TS_MSG_GOODBYE:
		return decode_goodbye(in, msg);
	default:
		return TS_EPROTO;
	}
}

int ts_proto_check_hello(const struct ts_msg *hello, char *err, size_t err_len)
{
	if (hello->type != TS_MSG_HELLO) {
		if (err_len)
			snprintf(err, err_len, "expected HELLO as the first message, got %s (type %u)",
				 ts_msg_type_name(hello->type), (unsigned)hello->type);
		return TS_EPROTO;
	}
	if (hello->hello.version == TS_PROTO_VERSION)
		return 0;
	if (err_len)
		snprintf(err, err_len,
			 "protocol version mismatch: the other end speaks timesync protocol "
			 "version %u, this end speaks version %u",
			 (unsigned)hello->hello.version, (unsigned)TS_PROTO_VERSION);
	return TS_EVERSION;
}

struct ts_msg ts_msg_hello(enum ts_role role, uint64_t capabilities, uint64_t quantum_ns)
{
	return (struct ts_msg){ .type = TS_MSG_HELLO,
				.hello = { .version = TS_PROTO_VERSION,
					   .magic = TS_PROTO_MAGIC,
					   .capabilities = capabilities,
					   .quantum_ns = quantum_ns,
					   .role = (uint32_t)role } };
}

struct ts_msg ts_msg_halt(uint64_t guest_ns, uint64_t instructions, uint32_t reason,
			  uint32_t flags, uint64_t seq)
{
	return (struct ts_msg){ .type = TS_MSG_HALT,
				.halt = { .reason = reason,
					  .flags = flags,
					  .seq = seq,
					  .guest_ns = guest_ns,
					  .instructions = instructions } };
}

struct ts_msg ts_msg_run_until(uint64_t until_ns)
{
	return (struct ts_msg){ .type = TS_MSG_RUN_UNTIL, .run_until = { .until_ns = until_ns } };
}

struct ts_msg ts_msg_goodbye(uint32_t reason, const char *text)
{
	struct ts_msg msg = { .type = TS_MSG_GOODBYE, .goodbye = { .reason = reason } };
	size_t len;

	if (!text)
		return msg;
	len = bounded_len(text, TS_GOODBYE_TEXT_SIZE);
	if (len == TS_GOODBYE_TEXT_SIZE) {
		/* Too long: cut before the first byte that does not fit, backing off over up
		 * to 3 UTF-8 continuation bytes (10xxxxxx) so no character is split. */
		len = TS_GOODBYE_TEXT_SIZE - 1;
		for (int back = 0; back < 3 && ((unsigned char)text[len] & 0xc0) == 0x80; back++)
			len--;
	}
	memcpy(msg.goodbye.text, text, len);
	return msg;
}

const char *ts_msg_type_name(uint32_t type)
{
	switch (type) {
	case TS_MSG_HELLO:
		return "HELLO";
	case TS_MSG_HALT:
		return "HALT";
	case TS_MSG_RUN_UNTIL:
		return "RUN_UNTIL";
	case TS_MSG_GOODBYE:
		return "GOODBYE";
	default:
		return "unknown";
	}
}

const char *ts_goodbye_reason_name(uint32_t reason)
{
	switch (reason) {
	case TS_GOODBYE_POWEROFF:
		return "guest powered off";
	case TS_GOODBYE_QUIT:
		return "QEMU is quitting";
	case TS_GOODBYE_DONE:
		return "participant done";
	case TS_GOODBYE_ERROR:
		return "error";
	case TS_GOODBYE_VERSION:
		return "protocol version mismatch";
	default:
		return "unknown";
	}
}
