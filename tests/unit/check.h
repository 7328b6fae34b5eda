/* SPDX-License-Identifier: MIT */
/* A minimal test harness: CHECK() records a failure and goes on; RUN() names each test. */
#ifndef CHECK_H
#define CHECK_H

#include <inttypes.h>
#include <stdio.h>

static int check_failures;
static int check_test_failed;

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                             \
			check_test_failed = 1;                                      \
		}                                                                   \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                          \
	do {                                                                        \
		uint64_t a_ = (a), b_ = (b);                                        \
		if (a_ != b_) {                                                     \
			fprintf(stderr, "%s:%d: %s == %" PRIu64 ", expected %s == %" PRIu64 "\n", \
				__FILE__, __LINE__, #a, a_, #b, b_);                \
			check_test_failed = 1;                                      \
		}                                                                   \
	} while (0)

#define RUN(test)                                                                   \
	do {                                                                        \
		check_test_failed = 0;                                              \
		test();                                                             \
		printf("%s %s\n", check_test_failed ? "FAIL" : "ok  ", #test);     \
		check_failures += check_test_failed;                                \
	} while (0)

#define CHECK_EXIT() (check_failures ? 1 : 0)

#endif
