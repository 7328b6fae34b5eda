/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "check.h"
#include "cmdline.h"

/* Parses a command line given with '|' between arguments, as /proc/self/cmdline has NULs. */
static int parse(const char *line, struct qemu_cmdline *out, char *err, size_t err_len)
{
	char buf[512];
	size_t len = strlen(line) + 1;

	memcpy(buf, line, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	return qemu_cmdline_parse(buf, len, out, err, err_len);
}

static void test_icount_shift_and_sleep_are_read(void)
{
	struct qemu_cmdline c;
	char err[128];

	CHECK(parse("qemu|-M|virt|-icount|shift=3,sleep=off|-kernel|x", &c, err, sizeof(err)) == 0);
	CHECK(c.icount && !c.shift_auto && !c.sleep);
	CHECK_EQ_U64(c.shift, 3);
	CHECK(parse("qemu|--icount|shift=0", &c, err, sizeof(err)) == 0);
	CHECK(c.icount && c.sleep);
	CHECK_EQ_U64(c.shift, 0);
	CHECK(parse("qemu|-icount|1", &c, err, sizeof(err)) == 0);
	CHECK(c.icount);
	CHECK_EQ_U64(c.shift, 1);
}

static void test_missing_icount_or_shift_means_no_icount(void)
{
	struct qemu_cmdline c;
	char err[128];

	CHECK(parse("qemu|-M|virt|-kernel|x", &c, err, sizeof(err)) == 0);
	CHECK(!c.icount);
	CHECK(parse("qemu|-icount|sleep=off", &c, err, sizeof(err)) == 0);
	CHECK(!c.icount);
	/* The last -icount wins, and an option's value is not an option. */
	CHECK(parse("qemu|-icount|shift=2|-icount|shift=0", &c, err, sizeof(err)) == 0);
	CHECK_EQ_U64(c.shift, 0);
	CHECK(parse("qemu|-append|-icount|-kernel|x", &c, err, sizeof(err)) == 0);
	CHECK(!c.icount);
}

static void test_shift_auto_is_recognised(void)
{
	struct qemu_cmdline c;
	char err[128];

	CHECK(parse("qemu|-icount|shift=auto,sleep=off", &c, err, sizeof(err)) == 0);
	CHECK(c.icount && c.shift_auto);
	CHECK(parse("qemu|-icount|auto", &c, err, sizeof(err)) == 0);
	CHECK(c.icount && c.shift_auto);
}

static void test_bad_icount_values_are_errors(void)
{
	struct qemu_cmdline c;
	char err[128] = "";

	CHECK(parse("qemu|-icount|shift=11", &c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "shift=11") != NULL);
	CHECK(parse("qemu|-icount|shift=0,sleep=maybe", &c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "sleep=maybe") != NULL);
}

static void test_rtc_clock_host_is_seen(void)
{
	struct qemu_cmdline c;
	char err[128];

	CHECK(parse("qemu|-rtc|base=utc,clock=host", &c, err, sizeof(err)) == 0);
	CHECK(c.rtc_host);
	CHECK(parse("qemu|-rtc|clock=vm", &c, err, sizeof(err)) == 0);
	CHECK(!c.rtc_host);
}

int main(void)
{
	RUN(test_icount_shift_and_sleep_are_read);
	RUN(test_missing_icount_or_shift_means_no_icount);
	RUN(test_shift_auto_is_recognised);
	RUN(test_bad_icount_values_are_errors);
	RUN(test_rtc_clock_host_is_seen);
	return CHECK_EXIT();
}
