/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "check.h"
#include "options.h"

#define MAX_ARGS 6

struct bad_case {
	const char *args[MAX_ARGS];
	const char *message_part; /* the error must contain this (names the option) */
};

static int parse(struct ts_options *o, const char *const *args, char *err, size_t len)
{
	char *argv[MAX_ARGS];
	int argc = 0;

	while (argc < MAX_ARGS && args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	return ts_options_parse(o, argc, argv, err, len);
}

static void test_seed_command_line_is_accepted(void)
{
	const char *args[] = { "HostToGuestPipe=/tmp/HostToGuestPipe",
			       "GuestToHostPipe=/tmp/GuestToHostPipe", "TimeinMicroseconds=1000",
			       NULL };
	struct ts_options o;
	char err[256] = "";

	CHECK(parse(&o, args, err, sizeof(err)) == 0);
	CHECK(strcmp(o.host_to_guest, "/tmp/HostToGuestPipe") == 0);
	CHECK(strcmp(o.guest_to_host, "/tmp/GuestToHostPipe") == 0);
	CHECK_EQ_U64(o.quantum_ns, 1000000);
}

static void test_keys_are_case_insensitive_and_both_spellings_work(void)
{
	const char *spellings[] = { "TimeInMicroSeconds=7", "timeinmicroseconds=7",
				    "TIMEINMICROSECONDS=7", "TimeinMicroseconds=7" };

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		const char *args[] = { "hosttoguestpipe=/a", "GUESTTOHOSTPIPE=/b", spellings[i],
				       NULL };
		struct ts_options o;
		char err[256] = "";

		CHECK(parse(&o, args, err, sizeof(err)) == 0);
		CHECK_EQ_U64(o.quantum_ns, 7000);
	}
}

static void test_nanoseconds_give_sub_microsecond_quanta(void)
{
	const char *args[] = { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeInNanoseconds=250",
			       NULL };
	struct ts_options o;
	char err[256] = "";

	CHECK(parse(&o, args, err, sizeof(err)) == 0);
	CHECK_EQ_U64(o.quantum_ns, 250);
}

static void test_bad_options_are_rejected_with_a_message_naming_them(void)
{
	static const struct bad_case cases[] = {
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=1000",
		    "Speed=3", NULL }, "unknown option 'Speed'" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=abc", NULL },
		  "TimeInMicroseconds=abc" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=0", NULL },
		  "TimeInMicroseconds=0" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=-5", NULL },
		  "TimeInMicroseconds=-5" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=", NULL },
		  "TimeInMicroseconds=" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=1e3", NULL },
		  "TimeInMicroseconds=1e3" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds= 10", NULL },
		  "TimeInMicroseconds= 10" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b",
		    "TimeinMicroseconds=18446744073709551616", NULL }, "TimeInMicroseconds=" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b",
		    "TimeinMicroseconds=4611686018427388", NULL }, "too large" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeInNanoseconds=-1", NULL },
		  "TimeInNanoseconds=-1" },
		{ { "GuestToHostPipe=/b", "TimeinMicroseconds=1000", NULL },
		  "HostToGuestPipe= is missing" },
		{ { "HostToGuestPipe=/a", "TimeinMicroseconds=1000", NULL },
		  "GuestToHostPipe= is missing" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", NULL }, "TimeInMicroseconds=" },
		{ { "HostToGuestPipe=", "GuestToHostPipe=/b", "TimeinMicroseconds=1", NULL },
		  "HostToGuestPipe=: the path is empty" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=1",
		    "HostToGuestPipe=/c", NULL }, "HostToGuestPipe given twice" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds=1",
		    "TimeInNanoseconds=5", NULL }, "not both" },
		{ { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "TimeinMicroseconds", NULL },
		  "'TimeinMicroseconds': expected key=value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ts_options o;
		char err[256] = "";

		CHECK(parse(&o, cases[i].args, err, sizeof(err)) < 0);
		if (!strstr(err, cases[i].message_part)) {
			fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, err,
				cases[i].message_part);
			CHECK(!"message names the option");
		}
	}
}

int main(void)
{
	RUN(test_seed_command_line_is_accepted);
	RUN(test_keys_are_case_insensitive_and_both_spellings_work);
	RUN(test_nanoseconds_give_sub_microsecond_quanta);
	RUN(test_bad_options_are_rejected_with_a_message_naming_them);
	return CHECK_EXIT();
}
