/* SPDX-License-Identifier: MIT */
/*
 * Writes the fuzzer's seed corpus: valid records of every type, one file each, and a
 * HALT followed by a RUN_UNTIL in one file (two records, the -max_len of run.sh).
 * run.sh checks that tests/fuzz/corpus is what this writes; after a format change
 * empty that directory and, from the top one:
 *   cc -std=c11 -Iinclude tests/fuzz/make_corpus.c lib/proto.c lib/errors.c -o /tmp/mc
 *   /tmp/mc tests/fuzz/corpus
 */
#include <stdio.h>

#include "timesync_proto.h"

struct seed {
	const char *name;
	struct ts_msg msg;
};

static int write_records(const char *dir, const char *name, const struct ts_msg *msgs,
			 size_t count)
{
	char path[4096];
	uint8_t wire[TS_MSG_SIZE];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	for (size_t i = 0; i < count; i++) {
		ts_msg_encode(&msgs[i], wire);
		if (fwrite(wire, sizeof(wire), 1, f) != 1)
			ret = 1;
	}
	if (fclose(f) != 0 || ret) {
		perror(path);
		return 1;
	}
	return 0;
}

/* A HELLO as a later version might send it: the version check must catch it. */
static struct ts_msg hello_of_version(uint32_t version)
{
	struct ts_msg msg = ts_msg_hello(TS_ROLE_GUEST, 0, 1000);

	msg.hello.version = version;
	return msg;
}

int main(int argc, char **argv)
{
	const struct seed seeds[] = {
		{ "hello-guest", ts_msg_hello(TS_ROLE_GUEST, TS_CAP_IDLE_TIME, 1000000) },
		{ "hello-participant", ts_msg_hello(TS_ROLE_PARTICIPANT, 0, 0) },
		{ "hello-version-3", hello_of_version(3) },
		{ "halt-quantum", ts_msg_halt(1000000, 1000000, TS_HALT_QUANTUM, 0, 1) },
		{ "halt-granted-idle",
		  ts_msg_halt(12000000, 2000001, TS_HALT_GRANTED, TS_HALT_IDLE, 42) },
		{ "halt-max", ts_msg_halt(UINT64_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX,
					  UINT64_MAX) },
		{ "run-until-first", ts_msg_run_until(1000000) },
		{ "run-until-max", ts_msg_run_until(UINT64_MAX) },
		{ "goodbye-poweroff", ts_msg_goodbye(TS_GOODBYE_POWEROFF, "guest powered off") },
		{ "goodbye-empty", ts_msg_goodbye(TS_GOODBYE_DONE, NULL) },
		{ "goodbye-full", ts_msg_goodbye(TS_GOODBYE_ERROR,
			"participant: lost the connection to the bus simulator, giving up") },
	};
	struct ts_msg session[2];
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		failed |= write_records(argv[1], seeds[i].name, &seeds[i].msg, 1);
	session[0] = ts_msg_halt(500000, 500000, TS_HALT_GRANTED, 0, 1);
	session[1] = ts_msg_run_until(1700000);
	failed |= write_records(argv[1], "halt-then-run-until", session, 2);
	return failed;
}
