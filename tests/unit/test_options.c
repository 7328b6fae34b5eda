/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "options.h"

#define MAX_ARGS 8

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

/* Every option with each kind of bad value: the message names the option and the value. */
static void test_every_option_rejects_empty_negative_overflowing_garbage_and_repeats(void)
{
	static const char *const keys[] = { "TimeInMicroseconds", "TimeInNanoseconds", "exact",
					    "require_icount", "follow_clock", "protocol",
					    "transport", "participant_lost", "connect_timeout",
					    "sync_timeout",
					    "HostToGuestPipe", "GuestToHostPipe", "trace", "stats", "path" };
	static const char *const bad_values[] = { "", "-1", "18446744073709551616",
						  "99999999999999999999999", "x1", "1x", " 1" };
	char arg[128], err[512];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		bool is_path = strstr(keys[k], "Pipe") || !strcmp(keys[k], "trace") ||
			       !strcmp(keys[k], "stats") ||
			       !strcmp(keys[k], "path");

		for (size_t v = 0; v < sizeof(bad_values) / sizeof(bad_values[0]); v++) {
			struct ts_options o;
			const char *args[] = { "HostToGuestPipe=/a", "GuestToHostPipe=/b",
					       "TimeInNanoseconds=5", arg, NULL };

			/* Paths take any non-empty text; the quantum keys are set above. */
			if (is_path && v > 0)
				continue;
			if (strstr(keys[k], "Time") || strstr(keys[k], "Pipe"))
				args[strstr(keys[k], "Host") ? 0 : strstr(keys[k], "Guest") ? 1 : 2] =
					"exact=on";
			snprintf(arg, sizeof(arg), "%s=%s", keys[k], bad_values[v]);
			err[0] = '\0';
			if (parse(&o, args, err, sizeof(err)) == 0 || !strstr(err, keys[k])) {
				fprintf(stderr, "'%s' not rejected by name: '%s'\n", arg, err);
				CHECK(!"rejected with a message naming the option");
			}
		}
		/* Given twice. */
		struct ts_options o;
		char first[64], second[64];
		const char *value = is_path ? "/x" : !strcmp(keys[k], "transport") ? "socket"
			: !strcmp(keys[k], "participant_lost") ? "run"
			: strstr(keys[k], "Time") || !strcmp(keys[k], "protocol") ? "1" : "on";
		snprintf(first, sizeof(first), "%s=%s", keys[k], value);
		snprintf(second, sizeof(second), "%s=%s", keys[k], value);
		const char *args[] = { first, "HostToGuestPipe=/a", "GuestToHostPipe=/b",
				       "TimeInNanoseconds=5", "path=/p", second, NULL };
		if (!strcmp(keys[k], "TimeInMicroseconds"))
			args[3] = "exact=on";
		err[0] = '\0';
		if (parse(&o, args, err, sizeof(err)) == 0 || !strstr(err, keys[k])) {
			fprintf(stderr, "'%s' twice not rejected by name: '%s'\n", first, err);
			CHECK(!"repeated option rejected");
		}
	}
}

static void test_new_transports_need_a_path_and_no_pipes(void)
{
	const char *socket_ok[] = { "transport=socket", "path=/tmp/s", "TimeInNanoseconds=9",
				    "protocol=2", NULL };
	const char *socket_no_path[] = { "transport=shm", "TimeInNanoseconds=9", NULL };
	const char *fifo_with_path[] = { "HostToGuestPipe=/a", "GuestToHostPipe=/b", "path=/p",
					 "TimeInNanoseconds=9", NULL };
	struct ts_options o;
	char err[512] = "";

	CHECK(parse(&o, socket_ok, err, sizeof(err)) == 0);
	CHECK(o.transport == TS_TRANSPORT_SOCKET && o.protocol == 2);
	CHECK(parse(&o, socket_no_path, err, sizeof(err)) < 0 && strstr(err, "path= is missing"));
	CHECK(parse(&o, fifo_with_path, err, sizeof(err)) < 0 && strstr(err, "path= is for"));
}

int main(void)
{
	RUN(test_seed_command_line_is_accepted);
	RUN(test_keys_are_case_insensitive_and_both_spellings_work);
	RUN(test_nanoseconds_give_sub_microsecond_quanta);
	RUN(test_bad_options_are_rejected_with_a_message_naming_them);
	RUN(test_every_option_rejects_empty_negative_overflowing_garbage_and_repeats);
	RUN(test_new_transports_need_a_path_and_no_pipes);
	return CHECK_EXIT();
}
