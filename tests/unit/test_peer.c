/* SPDX-License-Identifier: MIT */
/*
 * The plugin's participant side (plugin/peer.c) against participants that misbehave,
 * over real FIFOs: it must answer with a result (stop, run free, give way), never end
 * the process itself or hang.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "peer.h"

struct rogue {
	char h2g[64], g2h[64];
	const char *says; /* what it writes once connected (NULL: nothing, then closes) */
	size_t len;
	size_t reads;     /* bytes it reads first (the guest's HELLO) */
	pthread_t thread;
};

/* Opens the pair as the seed's participant does, reads, writes its line, closes. */
static void *rogue_run(void *arg)
{
	struct rogue *r = arg;
	int w = open(r->h2g, O_WRONLY);
	int rd = open(r->g2h, O_RDONLY);
	char buf[64];

	for (size_t got = 0; rd >= 0 && got < r->reads && got < sizeof(buf);) {
		ssize_t n = read(rd, buf + got, sizeof(buf) - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (w >= 0 && r->says && write(w, r->says, r->len) < 0)
		perror("rogue: write");
	if (rd >= 0)
		close(rd);
	if (w >= 0)
		close(w);
	return NULL;
}

static bool never_quit(void)
{
	return false;
}

static int quit_asked;
static bool quit_at_once(void)
{
	quit_asked++;
	return true;
}

static void setup(struct rogue *r, char *dir, int protocol, bool run_free,
		  bool (*quit_requested)(void))
{
	strcpy(dir, "/tmp/timesync-peer-test.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(r->h2g, sizeof(r->h2g), "%s/h2g", dir);
	snprintf(r->g2h, sizeof(r->g2h), "%s/g2h", dir);
	struct peer_config cfg = {
		.session = {
			.link = { .transport = TS_TRANSPORT_FIFO, .host_to_guest = r->h2g,
				  .guest_to_host = r->g2h },
			.protocol = protocol,
			.quantum_ns = 1000,
		},
		.run_free_on_loss = run_free,
		.where = "the test's FIFOs",
		.quit_requested = quit_requested,
	};
	CHECK(peer_prepare(&cfg) == 0);
}

static void teardown(char *dir, struct rogue *r)
{
	unlink(r->h2g);
	unlink(r->g2h);
	rmdir(dir);
}

static enum sync_answer sync_with(struct rogue *r, uint64_t *until_ns)
{
	struct ts_halt halt = { .reason = TS_HALT_QUANTUM, .guest_ns = 1000, .instructions = 1000 };

	CHECK(pthread_create(&r->thread, NULL, rogue_run, r) == 0);
	enum sync_answer answer = peer_sync(NULL, &halt, until_ns);
	pthread_join(r->thread, NULL);
	return answer;
}

static void test_a_protocol_2_participant_talking_nonsense_stops_qemu(void)
{
	static const char nonsense[64] = "GET / HTTP/1.0\r\n\r\n";
	struct rogue r = { .says = nonsense, .len = sizeof(nonsense), .reads = TS_MSG_SIZE };
	char dir[64];
	uint64_t until_ns = 0;

	setup(&r, dir, 2, false, never_quit);
	CHECK(sync_with(&r, &until_ns) == SYNC_STOP_FAIL);
	peer_close(TS_GOODBYE_ERROR, "test over");
	teardown(dir, &r);
}

static void test_a_participant_that_closes_lets_the_guest_run_free_when_told(void)
{
	struct rogue r = { .says = NULL };
	char dir[64];
	uint64_t until_ns = 0;

	setup(&r, dir, 1, true, never_quit);
	CHECK(sync_with(&r, &until_ns) == SYNC_RUN_FREE);
	/* From then on every boundary runs free at once. */
	struct ts_halt halt = { .reason = TS_HALT_QUANTUM, .guest_ns = 2000 };
	CHECK(peer_sync(NULL, &halt, &until_ns) == SYNC_RUN_FREE);
	peer_close(0, "");
	teardown(dir, &r);
}

static void test_a_participant_that_closes_stops_qemu_by_default(void)
{
	struct rogue r = { .says = NULL };
	char dir[64];
	uint64_t until_ns = 0;

	setup(&r, dir, 1, false, never_quit);
	CHECK(sync_with(&r, &until_ns) == SYNC_STOP_FAIL);
	peer_close(0, "");
	teardown(dir, &r);
}

static void test_one_byte_answers_grant_one_quantum(void)
{
	struct rogue r = { .says = "c", .len = 1, .reads = 1 };
	char dir[64];
	uint64_t until_ns = 1;

	setup(&r, dir, 1, false, never_quit);
	CHECK(sync_with(&r, &until_ns) == SYNC_GRANTED);
	CHECK_EQ_U64(until_ns, 0);
	CHECK_EQ_U64(peer_waits()->count, 1);
	peer_close(0, "");
	teardown(dir, &r);
}

static void test_waiting_for_a_participant_gives_way_when_qemu_quits(void)
{
	char dir[64];
	struct rogue r;
	struct ts_halt halt = { .reason = TS_HALT_QUANTUM, .guest_ns = 1000 };
	uint64_t until_ns = 0;

	/* Nobody comes; QEMU wants its vCPU back: the wait ends, to be asked again later. */
	setup(&r, dir, 1, false, quit_at_once);
	CHECK(peer_sync(NULL, &halt, &until_ns) == SYNC_INTERRUPTED);
	CHECK(quit_asked > 0);
	peer_close(0, "");
	teardown(dir, &r);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the plugin does: a participant gone is EPIPE */
	RUN(test_a_protocol_2_participant_talking_nonsense_stops_qemu);
	RUN(test_a_participant_that_closes_lets_the_guest_run_free_when_told);
	RUN(test_a_participant_that_closes_stops_qemu_by_default);
	RUN(test_one_byte_answers_grant_one_quantum);
	RUN(test_waiting_for_a_participant_gives_way_when_qemu_quits);
	return CHECK_EXIT();
}
