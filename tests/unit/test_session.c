/* SPDX-License-Identifier: MIT */
/*
 * Sessions over a real socket, the guest end here and a participant in a child: grants of
 * ts_session_run_for count from the previous grant, and HELLO carries capabilities.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "timesync.h"
#include "timesync_proto.h"

#define QUANTUM_NS 1000
/* No wait lasts longer than this, in either process. */
#define DEADLINE_NS (10 * 1000000000ull)
/* Syncs of the test with late halts. */
#define LATE_SYNCS 10000
/* The guest's blocks in that test: a halt comes up to BLOCK_NS - 1 late. */
#define BLOCK_NS 62

static char test_dir[] = "/tmp/test_session.XXXXXX";
static char socket_path[64];
static uint64_t deadline_ns;

static int before_deadline(void *arg)
{
	(void)arg;
	return ts_now_ns() < deadline_ns ? 0 : -ETIMEDOUT;
}

static struct ts_session *open_session(enum ts_role role, uint64_t capabilities)
{
	const struct ts_session_config cfg = {
		.link = { .transport = TS_TRANSPORT_SOCKET,
			  .path = socket_path,
			  .wait = { .slice_ms = 10, .keep_waiting = before_deadline } },
		.protocol = 2,
		.quantum_ns = role == TS_ROLE_GUEST ? QUANTUM_NS : 0,
		.capabilities = capabilities,
	};
	struct ts_session *s = NULL;

	deadline_ns = ts_now_ns() + DEADLINE_NS;
	if (ts_session_open(&s, role, &cfg) < 0 || ts_session_connect(s) < 0) {
		ts_session_close(s, 0, NULL);
		return NULL;
	}
	return s;
}

/* What the participant of the next start() announces in its HELLO. */
static uint64_t participant_capabilities;

/* The participant's side of a test: 0 when all it checked held. */
typedef int participant_fn(struct ts_session *s);

/* Starts participant in a child, connects the guest end here. */
static struct ts_session *start(participant_fn *participant, uint64_t guest_capabilities,
				pid_t *pid)
{
	fflush(stdout);
	fflush(stderr);
	*pid = fork();
	if (*pid == 0) {
		struct ts_session *s = open_session(TS_ROLE_PARTICIPANT, participant_capabilities);
		int failed = !s || participant(s) != 0;

		ts_session_close(s, TS_GOODBYE_DONE, "done");
		_exit(failed);
	}
	return *pid < 0 ? NULL : open_session(TS_ROLE_GUEST, guest_capabilities);
}

/* Ends a test: the participant says goodbye at the next halt and exits with status 0. */
static void finish(struct ts_session *s, pid_t pid)
{
	struct ts_halt halt = { .reason = TS_HALT_GRANTED, .guest_ns = UINT64_MAX - 1 };
	uint64_t until_ns;
	int status = -1;

	CHECK(s != NULL);
	if (s) {
		CHECK(ts_session_send_halt(s, &halt) == 0);
		CHECK(ts_session_wait_grant(s, &until_ns) == TS_EGOODBYE);
		ts_session_close(s, 0, NULL);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Sends a halt at guest_ns and returns the grant, 0 on an error. */
static uint64_t halt_at(struct ts_session *s, uint64_t guest_ns)
{
	struct ts_halt halt = { .reason = TS_HALT_GRANTED, .guest_ns = guest_ns };
	uint64_t until_ns = 0;

	if (ts_session_send_halt(s, &halt) < 0 || ts_session_wait_grant(s, &until_ns) < 0)
		return 0;
	return until_ns;
}

/* One halt of the guest, what the participant answers with, the grant that gives. */
struct grant_case {
	uint64_t halt_ns;
	uint64_t step_ns;  /* ts_session_run_for(step_ns); 0: ts_session_run_until(until_ns) */
	uint64_t until_ns;
};

static const struct grant_case grant_cases[] = {
	{ 1037, 1000, 2000 },  /* the first grant counts from the first boundary, the quantum */
	{ 2061, 1000, 3000 },  /* a late halt does not move the next boundary */
	{ 3000, 250, 3250 },   /* steps may change */
	{ 3300, 0, 5000 },     /* an absolute grant ... */
	{ 5010, 1000, 6000 },  /* ... and the next step counts from it */
	{ 8500, 1000, 9000 },  /* past whole steps: the first point of the grid after the halt */
	{ 9999, 1, 10000 },
};
#define N_GRANT_CASES (sizeof(grant_cases) / sizeof(grant_cases[0]))

static int answer_grant_cases(struct ts_session *s)
{
	struct ts_halt halt;

	for (size_t i = 0; i < N_GRANT_CASES; i++) {
		const struct grant_case *c = &grant_cases[i];

		if (ts_session_wait_halt(s, &halt) < 0 || halt.guest_ns != c->halt_ns)
			return -1;
		if (i == 0 && ts_session_run_for(s, 0) != -EINVAL)
			return -1;
		if ((c->step_ns ? ts_session_run_for(s, c->step_ns)
				: ts_session_run_until(s, c->until_ns)) < 0)
			return -1;
	}
	return ts_session_wait_halt(s, &halt) == 0 ? 0 : -1;
}

static void test_run_for_grants_from_the_previous_grant(void)
{
	pid_t pid;
	struct ts_session *s = start(answer_grant_cases, 0, &pid);

	for (size_t i = 0; s && i < N_GRANT_CASES; i++)
		CHECK_EQ_U64(halt_at(s, grant_cases[i].halt_ns), grant_cases[i].until_ns);
	finish(s, pid);
}

static int run_for_quanta(struct ts_session *s)
{
	struct ts_halt halt;

	for (unsigned int i = 0; i < LATE_SYNCS; i++)
		if (ts_session_wait_halt(s, &halt) < 0 ||
		    ts_session_run_for(s, ts_session_guest_quantum_ns(s)) < 0)
			return -1;
	return ts_session_wait_halt(s, &halt) == 0 ? 0 : -1;
}

static void test_late_halts_do_not_move_later_boundaries(void)
{
	pid_t pid;
	struct ts_session *s = start(run_for_quanta, 0, &pid);
	uint64_t boundary_ns = QUANTUM_NS;
	unsigned int off_grid = 0;

	for (unsigned int i = 0; s && i < LATE_SYNCS; i++) {
		uint64_t late_ns = (uint64_t)i * 37 % BLOCK_NS;

		boundary_ns = halt_at(s, boundary_ns + late_ns);
		off_grid += boundary_ns != (uint64_t)(i + 2) * QUANTUM_NS;
	}
	CHECK_EQ_U64(off_grid, 0);
	CHECK_EQ_U64(boundary_ns, (uint64_t)(LATE_SYNCS + 1) * QUANTUM_NS);
	finish(s, pid);
}

static int expect_idle_time_capability(struct ts_session *s)
{
	struct ts_halt halt;

	if (ts_session_guest_capabilities(s) != TS_CAP_IDLE_TIME ||
	    ts_session_guest_quantum_ns(s) != QUANTUM_NS)
		return -1;
	return ts_session_wait_halt(s, &halt) == 0 ? 0 : -1;
}

static void test_participant_learns_the_guest_capabilities(void)
{
	pid_t pid;
	struct ts_session *s = start(expect_idle_time_capability, TS_CAP_IDLE_TIME, &pid);

	CHECK(s && ts_session_guest_capabilities(s) == 0); /* the participant announced none */
	finish(s, pid);
}

/* Lookahead: an idle halt's idle_until_ns, then a busy halt's (always 0). */
static int expect_idle_until(struct ts_session *s, uint64_t idle_until_ns)
{
	struct ts_halt halt;

	if (ts_session_wait_halt(s, &halt) < 0 || halt.idle_until_ns != idle_until_ns ||
	    ts_session_run_until(s, 3 * QUANTUM_NS) < 0)
		return -1;
	if (ts_session_wait_halt(s, &halt) < 0 || halt.idle_until_ns != 0 ||
	    ts_session_run_until(s, 4 * QUANTUM_NS) < 0)
		return -1;
	return ts_session_wait_halt(s, &halt) == 0 ? 0 : -1;
}

static int expect_lookahead(struct ts_session *s)
{
	return expect_idle_until(s, 5 * QUANTUM_NS);
}

static int expect_no_lookahead(struct ts_session *s)
{
	return expect_idle_until(s, 0);
}

/* An idle halt says until when the guest idled, to a participant that reads it only. */
static void check_lookahead(participant_fn *participant, uint64_t capabilities)
{
	struct ts_halt idle = { .reason = TS_HALT_GRANTED, .flags = TS_HALT_IDLE,
				.guest_ns = QUANTUM_NS, .idle_until_ns = 5 * QUANTUM_NS };
	struct ts_halt busy = { .reason = TS_HALT_GRANTED, .guest_ns = 3 * QUANTUM_NS,
				.idle_until_ns = 7 * QUANTUM_NS };
	uint64_t until_ns;
	pid_t pid;
	struct ts_session *s;

	participant_capabilities = capabilities;
	s = start(participant, TS_CAP_IDLE_TIME | TS_CAP_LOOKAHEAD, &pid);
	participant_capabilities = 0;
	CHECK(s && ts_session_send_halt(s, &idle) == 0 && ts_session_wait_grant(s, &until_ns) == 0);
	CHECK(s && ts_session_send_halt(s, &busy) == 0 && ts_session_wait_grant(s, &until_ns) == 0);
	finish(s, pid);
}

static void test_idle_until_goes_to_a_participant_that_reads_it(void)
{
	check_lookahead(expect_lookahead, TS_CAP_LOOKAHEAD);
}

static void test_idle_until_stays_away_from_a_participant_that_does_not(void)
{
	check_lookahead(expect_no_lookahead, 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(socket_path, sizeof(socket_path), "%s/link", test_dir);
	RUN(test_run_for_grants_from_the_previous_grant);
	RUN(test_late_halts_do_not_move_later_boundaries);
	RUN(test_participant_learns_the_guest_capabilities);
	RUN(test_idle_until_goes_to_a_participant_that_reads_it);
	RUN(test_idle_until_stays_away_from_a_participant_that_does_not);
	rmdir(test_dir);
	return CHECK_EXIT();
}
