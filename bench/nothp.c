/* SPDX-License-Identifier: MIT */
/*
 * nothp COMMAND [ARGS...]: runs COMMAND with transparent huge pages disabled for it and
 * its children (prctl PR_SET_THP_DISABLE), for the benchmarks (bench/README.md: huge
 * pages). Changes nothing outside the process.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: nothp COMMAND [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) {
		fprintf(stderr, "nothp: prctl(PR_SET_THP_DISABLE): %s\n", strerror(errno));
		return 126;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nothp: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
