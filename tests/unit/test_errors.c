/* SPDX-License-Identifier: MIT */
/* Errors: every TS_E* code has its text and name; errno values keep theirs. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "check.h"
#include "timesync.h"

static void test_codes_have_their_texts(void)
{
	CHECK(strcmp(ts_strerror(TS_EOF), "the other end closed the connection") == 0);
	CHECK(strcmp(ts_strerror(TS_ENOTFIFO), "exists but is not a FIFO (named pipe)") == 0);
	CHECK(strcmp(ts_strerror(TS_EPROTO), "the other end broke the protocol") == 0);
	CHECK(strcmp(ts_strerror(TS_EDANGLING), "is a symbolic link to nothing") == 0);
	CHECK(strcmp(ts_strerror(TS_EVERSION), "the other end speaks another protocol version") == 0);
	CHECK(strcmp(ts_strerror(TS_EGOODBYE), "the other end said goodbye") == 0);
}

static void test_errno_values_and_others_have_texts(void)
{
	CHECK(strcmp(ts_strerror(-ENOENT), strerror(ENOENT)) == 0);
	CHECK(strcmp(ts_strerror(-EPIPE), strerror(EPIPE)) == 0);
	CHECK(strcmp(ts_strerror(0), "success") == 0);
	CHECK(strcmp(ts_strerror(1), "unknown error") == 0);
}

static void test_codes_have_their_names(void)
{
	char buf[TS_ERR_NAME_SIZE];

	CHECK(strcmp(ts_err_name(TS_EOF, buf, sizeof(buf)), "TS_EOF") == 0);
	CHECK(strcmp(ts_err_name(TS_ENOTFIFO, buf, sizeof(buf)), "TS_ENOTFIFO") == 0);
	CHECK(strcmp(ts_err_name(TS_EPROTO, buf, sizeof(buf)), "TS_EPROTO") == 0);
	CHECK(strcmp(ts_err_name(TS_EDANGLING, buf, sizeof(buf)), "TS_EDANGLING") == 0);
	CHECK(strcmp(ts_err_name(TS_EVERSION, buf, sizeof(buf)), "TS_EVERSION") == 0);
	CHECK(strcmp(ts_err_name(TS_EGOODBYE, buf, sizeof(buf)), "TS_EGOODBYE") == 0);
}

static void test_errno_values_have_their_names(void)
{
	char buf[TS_ERR_NAME_SIZE];

#ifdef HAVE_STRERRORNAME_NP
	CHECK(strcmp(ts_err_name(-ENOENT, buf, sizeof(buf)), "ENOENT") == 0);
	CHECK(strcmp(ts_err_name(-ETIMEDOUT, buf, sizeof(buf)), "ETIMEDOUT") == 0);
	CHECK(strcmp(ts_err_name(-EADDRINUSE, buf, sizeof(buf)), "EADDRINUSE") == 0);
#else
	CHECK(strcmp(ts_err_name(-ENOENT, buf, sizeof(buf)), "E2") == 0);
#endif
}

static void test_unknown_values_are_named_by_number(void)
{
	char buf[TS_ERR_NAME_SIZE];

	CHECK(strcmp(ts_err_name(-4095, buf, sizeof(buf)), "E4095") == 0);
	CHECK(strcmp(ts_err_name(-10000, buf, sizeof(buf)), "E10000") == 0);
	CHECK(strcmp(ts_err_name(INT_MIN, buf, sizeof(buf)), "E2147483648") == 0);
	CHECK(ts_err_name(-4095, buf, sizeof(buf)) == buf);
}

/* The table keeps its codes apart from each other and beyond errno's range (Linux: 4095). */
static void test_codes_are_distinct_and_beyond_errno(void)
{
	static const int codes[] = {
#define TS_ERRNO_VALUE(name, value, text) name,
		TS_ERRNO_MAP(TS_ERRNO_VALUE)
#undef TS_ERRNO_VALUE
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	CHECK(n == 7);
	for (size_t i = 0; i < n; i++) {
		CHECK(codes[i] < -4095);
		for (size_t j = i + 1; j < n; j++)
			CHECK(codes[i] != codes[j]);
	}
}

int main(void)
{
	RUN(test_codes_have_their_texts);
	RUN(test_errno_values_and_others_have_texts);
	RUN(test_codes_have_their_names);
	RUN(test_errno_values_have_their_names);
	RUN(test_unknown_values_are_named_by_number);
	RUN(test_codes_are_distinct_and_beyond_errno);
	return CHECK_EXIT();
}
