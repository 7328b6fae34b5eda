/* SPDX-License-Identifier: MIT */
/* The protocol v2 codec: round trips, exact bytes on the wire, what a decoder refuses. */
#include <string.h>

#include "check.h"
#include "timesync_proto.h"

/* Reports every byte where got differs from want, with its offset. */
static void check_bytes(const uint8_t *got, const uint8_t *want, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			fprintf(stderr, "byte %zu: 0x%02x, expected 0x%02x\n", i, got[i], want[i]);
			CHECK(!"bytes as documented");
		}
	}
}

/* Encodes into a buffer full of garbage, so that unwritten reserved bytes show. */
static void encode_dirty(const struct ts_msg *msg, uint8_t out[TS_MSG_SIZE])
{
	memset(out, 0xa5, TS_MSG_SIZE);
	ts_msg_encode(msg, out);
}

static struct ts_msg round_trip(const struct ts_msg *msg)
{
	uint8_t wire[TS_MSG_SIZE];
	struct ts_msg back;

	encode_dirty(msg, wire);
	CHECK(ts_msg_decode(wire, &back) == 0);
	CHECK_EQ_U64(back.type, msg->type);
	return back;
}

static void test_hello_round_trips(void)
{
	struct ts_msg sent = ts_msg_hello(TS_ROLE_PARTICIPANT, UINT64_MAX, UINT64_C(1) << 62);
	struct ts_msg got = round_trip(&sent);

	CHECK_EQ_U64(got.hello.version, TS_PROTO_VERSION);
	CHECK_EQ_U64(got.hello.magic, TS_PROTO_MAGIC);
	CHECK_EQ_U64(got.hello.capabilities, UINT64_MAX);
	CHECK_EQ_U64(got.hello.quantum_ns, UINT64_C(1) << 62);
	CHECK_EQ_U64(got.hello.role, TS_ROLE_PARTICIPANT);
}

static void test_halt_round_trips_with_unknown_flags_and_reasons_kept(void)
{
	struct ts_msg sent = ts_msg_halt(UINT64_MAX, UINT64_MAX - 1, 0xfffffffe, 0xffffffff,
					 UINT64_MAX - 2);
	struct ts_msg got = round_trip(&sent);

	CHECK_EQ_U64(got.halt.guest_ns, UINT64_MAX);
	CHECK_EQ_U64(got.halt.instructions, UINT64_MAX - 1);
	CHECK_EQ_U64(got.halt.reason, 0xfffffffe);
	CHECK_EQ_U64(got.halt.flags, 0xffffffff);
	CHECK_EQ_U64(got.halt.seq, UINT64_MAX - 2);
}

static void test_run_until_round_trips(void)
{
	const uint64_t grants[] = { 0, 1, 999999, UINT64_MAX };

	for (size_t i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		struct ts_msg sent = ts_msg_run_until(grants[i]);
		struct ts_msg got = round_trip(&sent);

		CHECK_EQ_U64(got.run_until.until_ns, grants[i]);
	}
}

static void test_goodbye_round_trips(void)
{
	struct ts_msg sent = ts_msg_goodbye(TS_GOODBYE_ERROR, "participant: ns-3 aborted");
	struct ts_msg got = round_trip(&sent);

	CHECK_EQ_U64(got.goodbye.reason, TS_GOODBYE_ERROR);
	CHECK(strcmp(got.goodbye.text, "participant: ns-3 aborted") == 0);
}

static void test_hello_has_the_documented_byte_layout(void)
{
	static const uint8_t want_guest[TS_MSG_SIZE] = {
		0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /*  0 type, 4 version */
		'T',  'I',  'M',  'E',  'S',  'Y',  'N',  'C',  /*  8 magic */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 16 capabilities */
		0x40, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, /* 24 quantum_ns */
		0x00, 0x00, 0x00, 0x00,                         /* 32 role, then reserved */
	};
	static const uint8_t want_participant[TS_MSG_SIZE] = {
		0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /*  0 type, 4 version */
		'T',  'I',  'M',  'E',  'S',  'Y',  'N',  'C',  /*  8 magic */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 16 capabilities */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 24 quantum_ns */
		0x01, 0x00, 0x00, 0x00,                         /* 32 role, then reserved */
	};
	struct ts_msg guest = ts_msg_hello(TS_ROLE_GUEST, TS_CAP_IDLE_TIME, 1000000);
	struct ts_msg participant = ts_msg_hello(TS_ROLE_PARTICIPANT, 0, 0);
	uint8_t wire[TS_MSG_SIZE];

	encode_dirty(&guest, wire);
	check_bytes(wire, want_guest, TS_MSG_SIZE);
	encode_dirty(&participant, wire);
	check_bytes(wire, want_participant, TS_MSG_SIZE);
}

static void test_halt_has_the_documented_byte_layout(void)
{
	static const uint8_t want[TS_MSG_SIZE] = {
		0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /*  0 type, 4 reason */
		0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21, /*  8 seq */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* 16 guest_ns */
		0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, /* 24 instructions */
		0x01, 0x00, 0x00, 0x00,                         /* 32 flags */
		0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31, /* 36 idle_until_ns, then reserved */
	};
	struct ts_msg msg = ts_msg_halt(0x0102030405060708, 0x1112131415161718, TS_HALT_GRANTED,
					TS_HALT_IDLE, 0x2122232425262728), got;
	uint8_t wire[TS_MSG_SIZE];

	msg.halt.idle_until_ns = 0x3132333435363738;
	encode_dirty(&msg, wire);
	check_bytes(wire, want, TS_MSG_SIZE);
	CHECK(ts_msg_decode(wire, &got) == 0);
	CHECK_EQ_U64(got.halt.idle_until_ns, 0x3132333435363738);
	/* ts_msg_halt() makes a HALT that says nothing of lookahead. */
	CHECK_EQ_U64(ts_msg_halt(1, 1, TS_HALT_GRANTED, 0, 1).halt.idle_until_ns, 0);
}

static void test_run_until_has_the_documented_byte_layout(void)
{
	static const uint8_t want[TS_MSG_SIZE] = {
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /*  0 type, 4 reserved */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /*  8 until_ns, then reserved */
	};
	struct ts_msg msg = ts_msg_run_until(0x8877665544332211);
	uint8_t wire[TS_MSG_SIZE];

	encode_dirty(&msg, wire);
	check_bytes(wire, want, TS_MSG_SIZE);
}

static void test_goodbye_has_the_documented_byte_layout(void)
{
	static const uint8_t want[TS_MSG_SIZE] = {
		0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /*  0 type, 4 reason */
		'b',  'y',  'e',                                /*  8 text, zero after it */
	};
	struct ts_msg msg = ts_msg_goodbye(TS_GOODBYE_POWEROFF, "bye");
	uint8_t wire[TS_MSG_SIZE];

	encode_dirty(&msg, wire);
	check_bytes(wire, want, TS_MSG_SIZE);
}

static int decode_status(const uint8_t wire[TS_MSG_SIZE])
{
	struct ts_msg msg;

	return ts_msg_decode(wire, &msg);
}

static void test_zeroed_record_is_rejected(void)
{
	static const uint8_t zero[TS_MSG_SIZE];

	CHECK(decode_status(zero) == TS_EPROTO);
}

static void test_unknown_types_are_rejected(void)
{
	const uint32_t types[] = { 5, 0xff, 0x100, 0xffff, 0x01000001, 0xffffffff };
	uint8_t wire[TS_MSG_SIZE] = { 0 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (int b = 0; b < 4; b++)
			wire[b] = (uint8_t)(types[i] >> (8 * b));
		CHECK(decode_status(wire) == TS_EPROTO);
	}
}

/* Sets each byte in [first, last] of msg's encoding nonzero in turn: all must be refused. */
static void check_reserved_range(const struct ts_msg *msg, size_t first, size_t last)
{
	uint8_t wire[TS_MSG_SIZE];

	for (size_t i = first; i <= last; i++) {
		ts_msg_encode(msg, wire);
		CHECK(decode_status(wire) == 0);
		wire[i] = 0x80;
		if (decode_status(wire) != TS_EPROTO) {
			fprintf(stderr, "%s: reserved byte %zu accepted\n",
				ts_msg_type_name(msg->type), i);
			CHECK(!"nonzero reserved byte refused");
		}
	}
}

static void test_nonzero_reserved_byte_is_rejected_in_every_type(void)
{
	struct ts_msg hello = ts_msg_hello(TS_ROLE_PARTICIPANT, 0, 0);
	struct ts_msg halt = ts_msg_halt(1, 2, TS_HALT_QUANTUM, 0, 3);
	struct ts_msg run_until = ts_msg_run_until(4);
	struct ts_msg goodbye = ts_msg_goodbye(TS_GOODBYE_DONE, "done");

	check_reserved_range(&hello, 36, 63);
	check_reserved_range(&halt, 44, 63);
	check_reserved_range(&run_until, 4, 7);
	check_reserved_range(&run_until, 16, 63);
	check_reserved_range(&goodbye, 8 + sizeof("done"), 63);
}

static void test_goodbye_without_nul_is_rejected(void)
{
	struct ts_msg msg = ts_msg_goodbye(TS_GOODBYE_ERROR, NULL);
	uint8_t wire[TS_MSG_SIZE];

	ts_msg_encode(&msg, wire);
	memset(wire + 8, 'x', TS_GOODBYE_TEXT_SIZE);
	CHECK(decode_status(wire) == TS_EPROTO);
	wire[TS_MSG_SIZE - 1] = '\0';
	CHECK(decode_status(wire) == 0);
}

static void test_hello_with_wrong_magic_is_rejected(void)
{
	struct ts_msg msg = ts_msg_hello(TS_ROLE_GUEST, 0, 1000);
	uint8_t wire[TS_MSG_SIZE];

	for (size_t i = 8; i < 16; i++) {
		ts_msg_encode(&msg, wire);
		wire[i] ^= 0x20;
		CHECK(decode_status(wire) == TS_EPROTO);
	}
}

static void test_hello_of_another_version_decodes_and_fails_the_version_check(void)
{
	struct ts_msg msg = ts_msg_hello(TS_ROLE_GUEST, 0, 1000), got;
	uint8_t wire[TS_MSG_SIZE];
	char err[200] = "";

	ts_msg_encode(&msg, wire);
	wire[4] = 3;
	/* A later version may use bytes that are reserved in this one. */
	memset(wire + 36, 0xee, TS_MSG_SIZE - 36);
	CHECK(ts_msg_decode(wire, &got) == 0);
	CHECK_EQ_U64(got.hello.version, 3);
	CHECK(ts_proto_check_hello(&got, err, sizeof(err)) == TS_EVERSION);
	CHECK(strstr(err, "version mismatch") != NULL);
	CHECK(strstr(err, "other end speaks timesync protocol version 3") != NULL);
	CHECK(strstr(err, "this end speaks version 2") != NULL);
}

static void test_hello_of_this_version_passes_the_version_check(void)
{
	struct ts_msg msg = ts_msg_hello(TS_ROLE_PARTICIPANT, 0, 0);
	struct ts_msg got = round_trip(&msg);
	char err[200] = "untouched";

	CHECK(ts_proto_check_hello(&got, err, sizeof(err)) == 0);
	CHECK(strcmp(err, "untouched") == 0);
}

static void test_version_check_refuses_a_first_message_that_is_not_hello(void)
{
	struct ts_msg msg = ts_msg_halt(0, 0, TS_HALT_QUANTUM, 0, 1);
	char err[200] = "";

	CHECK(ts_proto_check_hello(&msg, err, sizeof(err)) == TS_EPROTO);
	CHECK(strstr(err, "expected HELLO") != NULL);
	CHECK(strstr(err, "got HALT") != NULL);
	CHECK(ts_proto_check_hello(&msg, NULL, 0) == TS_EPROTO);
}

static void test_long_goodbye_text_is_cut_to_fit(void)
{
	char text[200];
	struct ts_msg got;

	memset(text, 'y', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	got = ts_msg_goodbye(TS_GOODBYE_QUIT, text);
	CHECK_EQ_U64(strlen(got.goodbye.text), TS_GOODBYE_TEXT_SIZE - 1);
	got = round_trip(&got);
	CHECK_EQ_U64(strlen(got.goodbye.text), TS_GOODBYE_TEXT_SIZE - 1);
}

static void test_goodbye_text_is_not_cut_inside_a_utf8_character(void)
{
	/* 53 ASCII bytes, then "é" (2 bytes) and "€" (3 bytes): 55 bytes fit, so the
	 * é stays and the € goes whole. */
	char text[TS_GOODBYE_TEXT_SIZE + 8];
	struct ts_msg got;

	memset(text, 'a', 53);
	strcpy(text + 53, "\xc3\xa9\xe2\x82\xac");
	got = ts_msg_goodbye(TS_GOODBYE_ERROR, text);
	CHECK_EQ_U64(strlen(got.goodbye.text), 55);
	CHECK(strcmp(got.goodbye.text + 53, "\xc3\xa9") == 0);

	memset(text, 'a', 54);
	strcpy(text + 54, "\xe2\x82\xac");
	got = ts_msg_goodbye(TS_GOODBYE_ERROR, text);
	CHECK_EQ_U64(strlen(got.goodbye.text), 54);
}

static void test_unterminated_goodbye_text_still_encodes_a_valid_record(void)
{
	struct ts_msg msg = ts_msg_goodbye(TS_GOODBYE_ERROR, NULL), got;

	CHECK_EQ_U64(strlen(msg.goodbye.text), 0);
	memset(msg.goodbye.text, 'z', TS_GOODBYE_TEXT_SIZE);
	got = round_trip(&msg);
	CHECK_EQ_U64(strlen(got.goodbye.text), TS_GOODBYE_TEXT_SIZE - 1);
}

static void test_types_and_reasons_have_names(void)
{
	CHECK(strcmp(ts_msg_type_name(TS_MSG_HELLO), "HELLO") == 0);
	CHECK(strcmp(ts_msg_type_name(TS_MSG_HALT), "HALT") == 0);
	CHECK(strcmp(ts_msg_type_name(TS_MSG_RUN_UNTIL), "RUN_UNTIL") == 0);
	CHECK(strcmp(ts_msg_type_name(TS_MSG_GOODBYE), "GOODBYE") == 0);
	CHECK(strcmp(ts_msg_type_name(0), "unknown") == 0);
	CHECK(strcmp(ts_goodbye_reason_name(TS_GOODBYE_POWEROFF), "guest powered off") == 0);
	CHECK(strcmp(ts_goodbye_reason_name(TS_GOODBYE_QUIT), "QEMU is quitting") == 0);
	CHECK(strcmp(ts_goodbye_reason_name(TS_GOODBYE_DONE), "participant done") == 0);
	CHECK(strcmp(ts_goodbye_reason_name(TS_GOODBYE_ERROR), "error") == 0);
	CHECK(strcmp(ts_goodbye_reason_name(TS_GOODBYE_VERSION), "protocol version mismatch") == 0);
	CHECK(strcmp(ts_goodbye_reason_name(0), "unknown") == 0);
}

int main(void)
{
	RUN(test_hello_round_trips);
	RUN(test_halt_round_trips_with_unknown_flags_and_reasons_kept);
	RUN(test_run_until_round_trips);
	RUN(test_goodbye_round_trips);
	RUN(test_hello_has_the_documented_byte_layout);
	RUN(test_halt_has_the_documented_byte_layout);
	RUN(test_run_until_has_the_documented_byte_layout);
	RUN(test_goodbye_has_the_documented_byte_layout);
	RUN(test_zeroed_record_is_rejected);
	RUN(test_unknown_types_are_rejected);
	RUN(test_nonzero_reserved_byte_is_rejected_in_every_type);
	RUN(test_goodbye_without_nul_is_rejected);
	RUN(test_hello_with_wrong_magic_is_rejected);
	RUN(test_hello_of_another_version_decodes_and_fails_the_version_check);
	RUN(test_hello_of_this_version_passes_the_version_check);
	RUN(test_version_check_refuses_a_first_message_that_is_not_hello);
	RUN(test_long_goodbye_text_is_cut_to_fit);
	RUN(test_goodbye_text_is_not_cut_inside_a_utf8_character);
	RUN(test_unterminated_goodbye_text_still_encodes_a_valid_record);
	RUN(test_types_and_reasons_have_names);
	return CHECK_EXIT();
}
