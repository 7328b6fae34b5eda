/* SPDX-License-Identifier: MIT */
/*
 * Links between two real processes (fork) over every transport: records both ways, either
 * start order, the other end closing or being killed, paths that must not be touched.
 * Every wait is bounded by a deadline (keep_waiting), so a bug fails a test instead of
 * hanging it.
 *
 * `test_link --latency [N]` measures instead of testing: the mean round trip of N records
 * per transport, both ends spinning, then both ends sleeping; nothing is asserted.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"
#include "timesync.h"

/* No wait lasts longer than this, in either process. */
#define DEADLINE_NS (5 * 1000000000ull)
/* Spin this long before sleeping, as the plugin and a fast participant would. */
#define SPIN_NS 50000u
/* Records each way per record size in a ping-pong test. */
#define RECORDS 1000
/* The other end's death must be noticed within this. */
#define DEATH_NOTICED_NS 1000000000u

static const enum ts_transport transports[] = { TS_TRANSPORT_FIFO, TS_TRANSPORT_SOCKET,
						 TS_TRANSPORT_SHM };
#define N_TRANSPORTS (sizeof(transports) / sizeof(transports[0]))

static char test_dir[] = "/tmp/test_link.XXXXXX";

/* One end of a test; both processes agree on it before fork(). */
struct end {
	char host_to_guest[128];
	char guest_to_host[128];
	char path[128];
	unsigned int records; /* per record size, for the participant that answers */
	uint64_t deadline_ns;
	int waiting_fd; /* >= 0: write a byte here when first waiting for the other end */
	struct ts_link_config cfg;
};

/* The end's keep_waiting: says once that it waits (spawn_waiting), then the deadline. */
static int before_deadline(void *arg)
{
	struct end *e = arg;

	if (e->waiting_fd >= 0) {
		if (write(e->waiting_fd, "w", 1) != 1)
			return -errno;
		close(e->waiting_fd);
		e->waiting_fd = -1;
	}
	return ts_now_ns() < e->deadline_ns ? 0 : -ETIMEDOUT;
}

/* Fresh paths under dir for every end, so that no test sees files of another. */
static void end_init_in(struct end *e, enum ts_transport transport, const char *dir)
{
	static unsigned int serial;

	serial++;
	snprintf(e->host_to_guest, sizeof(e->host_to_guest), "%s/h2g-%u", dir, serial);
	snprintf(e->guest_to_host, sizeof(e->guest_to_host), "%s/g2h-%u", dir, serial);
	snprintf(e->path, sizeof(e->path), "%s/test_link-%d-%u", dir, (int)getpid(), serial);
	e->records = RECORDS;
	e->deadline_ns = ts_now_ns() + DEADLINE_NS;
	e->waiting_fd = -1;
	e->cfg = (struct ts_link_config){
		.transport = transport,
		.host_to_guest = e->host_to_guest,
		.guest_to_host = e->guest_to_host,
		.path = e->path,
		.wait = { .spin_ns = SPIN_NS, .slice_ms = 10, .keep_waiting = before_deadline,
			  .arg = e },
	};
}

static void end_init(struct end *e, enum ts_transport transport)
{
	end_init_in(e, transport, test_dir);
}

/* Checks that a call returned want; on failure says which call, transport and error. */
static int expect(int got, int want, const char *call, enum ts_transport transport, int line)
{
	if (got == want)
		return 1;
	fprintf(stderr, "%s:%d: %s [%s] returned %d (%s), expected %d (%s)\n", __FILE__, line,
		call, ts_transport_name(transport), got, ts_strerror(got), want, ts_strerror(want));
	check_test_failed = 1;
	return 0;
}

#define EXPECT(call, want, transport) expect((call), (want), #call, (transport), __LINE__)

static void sleep_ms(long ms)
{
	const struct timespec pause = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	nanosleep(&pause, NULL);
}

static int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static enum ts_role other(enum ts_role role)
{
	return role == TS_ROLE_GUEST ? TS_ROLE_PARTICIPANT : TS_ROLE_GUEST;
}

/* Record i as sent by from: each end can check what it gets. */
static void fill(uint8_t *rec, size_t len, unsigned int i, enum ts_role from)
{
	for (size_t k = 0; k < len; k++)
		rec[k] = (uint8_t)(i * 31u + k * 7u + (unsigned int)from * 101u);
}

/* The guest sends record i and the participant answers with its record i, count times. */
static int exchange(struct ts__link *link, enum ts_role role, size_t len, unsigned int count)
{
	uint8_t out[TS__LINK_RECORD_MAX], in[TS__LINK_RECORD_MAX], want[TS__LINK_RECORD_MAX];

	for (unsigned int i = 0; i < count; i++) {
		int ret;

		fill(out, len, i, role);
		fill(want, len, i, other(role));
		if (role == TS_ROLE_GUEST) {
			ret = ts__link_send(link, out, len);
			if (ret == 0)
				ret = ts__link_recv(link, in, len);
		} else {
			ret = ts__link_recv(link, in, len);
			if (ret == 0)
				ret = ts__link_send(link, out, len);
		}
		if (ret < 0)
			return ret;
		if (memcmp(in, want, len) != 0)
			return TS_EPROTO;
	}
	return 0;
}

static int open_link(struct end *e, enum ts_role role, struct ts__link **link)
{
	int ret = ts__link_prepare(link, role, &e->cfg);

	if (ret < 0)
		return ret;
	ret = ts__link_connect(*link);
	if (ret < 0) {
		ts__link_close(*link);
		*link = NULL;
	}
	return ret;
}

/* What the child process does; 0 means it behaved as the test expects. */
typedef int scenario_fn(struct end *e, enum ts_role role);

/* Answers records of 1, then of 64 bytes, then closes. */
static int answer_then_close(struct end *e, enum ts_role role)
{
	struct ts__link *link;
	int ret = open_link(e, role, &link);

	if (ret == 0)
		ret = exchange(link, role, 1, e->records);
	if (ret == 0)
		ret = exchange(link, role, TS__LINK_RECORD_MAX, e->records);
	ts__link_close(link);
	return ret;
}

/*
 * Answers one record, then closes. (Over FIFOs a participant that closes before the guest
 * end has opened its write side leaves the guest waiting for a reader: exchange first.)
 */
static int answer_one_then_close(struct end *e, enum ts_role role)
{
	struct ts__link *link;
	int ret = open_link(e, role, &link);

	if (ret == 0)
		ret = exchange(link, role, 1, 1);
	ts__link_close(link);
	return ret;
}

/* Waits for the other end to close: TS_EOF is success. */
static int expect_eof(struct end *e, enum ts_role role)
{
	struct ts__link *link;
	uint8_t rec[1];
	int ret = open_link(e, role, &link);

	if (ret == 0)
		ret = ts__link_recv(link, rec, sizeof(rec));
	ts__link_close(link);
	return ret == TS_EOF ? 0 : -EPROTO;
}

/* Says it is there with one record, then waits to be killed. */
static int wait_to_be_killed(struct end *e, enum ts_role role)
{
	struct ts__link *link;
	uint8_t rec[1] = { 'r' };
	int ret = open_link(e, role, &link);

	if (ret == 0)
		ret = ts__link_send(link, rec, sizeof(rec));
	if (ret == 0)
		ret = ts__link_recv(link, rec, sizeof(rec));
	ts__link_close(link);
	return ret < 0 ? ret : -EPROTO;
}

/* Prepares a guest end and dies without closing it, as QEMU killed with SIGKILL would. */
static int prepare_then_die(struct end *e, enum ts_role role)
{
	struct ts__link *link;
	int ret = ts__link_prepare(&link, role, &e->cfg);

	if (ret == 0)
		raise(SIGKILL);
	return ret;
}

static pid_t spawn(scenario_fn *scenario, struct end *e, enum ts_role role)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid != 0)
		return pid;
	e->deadline_ns = ts_now_ns() + DEADLINE_NS;
	int ret = scenario(e, role);
	if (ret < 0)
		fprintf(stderr, "child (%s end, %s): %s\n",
			role == TS_ROLE_GUEST ? "guest" : "participant",
			ts_transport_name(e->cfg.transport), ts_strerror(ret));
	_exit(ret == 0 ? 0 : 1);
}

/*
 * spawn, and return once the child waits for the other end (its first keep_waiting call,
 * after a slice of waiting) or has ended: it was there first, whatever the machine's speed.
 */
static pid_t spawn_waiting(scenario_fn *scenario, struct end *e, enum ts_role role)
{
	int fds[2];
	pid_t pid;
	char byte;

	if (pipe(fds) < 0)
		return -1;
	e->waiting_fd = fds[1];
	pid = spawn(scenario, e, role);
	close(fds[1]);
	e->waiting_fd = -1;
	struct pollfd waiting = { .fd = fds[0], .events = POLLIN };
	if (poll(&waiting, 1, (int)(DEADLINE_NS / 1000000)) == 1 && read(fds[0], &byte, 1) < 0)
		perror("spawn_waiting: read");
	close(fds[0]);
	return pid;
}

/* Waits for a child (bounded): its exit status, or -1 if it was killed or had to be. */
static int reap(pid_t pid)
{
	uint64_t end_ns = ts_now_ns() + DEADLINE_NS + 1000000000u;
	int status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ts_now_ns() > end_ns) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(1);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The guest end here, an answering participant in a child started before or after it. */
static void ping_pong(enum ts_transport t, int participant_first)
{
	struct ts__link *link = NULL;
	uint8_t rec[1];
	struct end e;
	pid_t pid = -1;

	end_init(&e, t);
	if (participant_first)
		pid = spawn_waiting(answer_then_close, &e, TS_ROLE_PARTICIPANT);
	if (!EXPECT(ts__link_prepare(&link, TS_ROLE_GUEST, &e.cfg), 0, t))
		goto out;
	if (!participant_first)
		pid = spawn(answer_then_close, &e, TS_ROLE_PARTICIPANT);
	if (!EXPECT(ts__link_connect(link), 0, t))
		goto out;
	if (t != TS_TRANSPORT_FIFO)
		CHECK(!path_exists(e.path)); /* removed once the participant is there */
	if (!EXPECT(exchange(link, TS_ROLE_GUEST, 1, RECORDS), 0, t) ||
	    !EXPECT(exchange(link, TS_ROLE_GUEST, TS__LINK_RECORD_MAX, RECORDS), 0, t))
		goto out;
	EXPECT(ts__link_recv(link, rec, sizeof(rec)), TS_EOF, t);
out:
	ts__link_close(link);
	CHECK_EQ_U64(reap(pid), 0);
}

static void test_transport_names_parse_in_any_case(void)
{
	enum ts_transport t = TS_TRANSPORT_FIFO;

	CHECK(ts_transport_parse("socket", &t) == 0 && t == TS_TRANSPORT_SOCKET);
	CHECK(ts_transport_parse("shm", &t) == 0 && t == TS_TRANSPORT_SHM);
	CHECK(ts_transport_parse("FIFO", &t) == 0 && t == TS_TRANSPORT_FIFO);
	CHECK(ts_transport_parse("tcp", &t) == -EINVAL);
	CHECK(ts_transport_parse("", &t) == -EINVAL);
}

static void test_every_transport_name_parses_back(void)
{
	enum ts_transport t = TS_TRANSPORT_FIFO;
	size_t named = 0;

	CHECK(strcmp(ts_transport_name(TS_TRANSPORT_SOCKET), "socket") == 0);
	for (enum ts_transport each = TS_TRANSPORT_FIFO; ts_transport_name(each); each++) {
		CHECK(ts_transport_parse(ts_transport_name(each), &t) == 0 && t == each);
		named++;
	}
	CHECK_EQ_U64(named, N_TRANSPORTS);
	CHECK(ts_transport_name((enum ts_transport)N_TRANSPORTS) == NULL);
}

static void test_records_of_1_and_64_bytes_go_both_ways_guest_first(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		ping_pong(transports[i], 0);
}

static void test_records_of_1_and_64_bytes_go_both_ways_participant_first(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		ping_pong(transports[i], 1);
}

/*
 * Both ends sleep at once (no spinning) in naps of 100 ms: each record must wake the other
 * end right away, or 400 round trips would take 40 s instead of a few milliseconds.
 */
static void test_sleeping_end_is_woken_by_each_record(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *link = NULL;
		uint64_t start_ns;
		struct end e;
		pid_t pid;

		end_init(&e, t);
		e.records = 200;
		e.cfg.wait.spin_ns = 0;
		e.cfg.wait.slice_ms = 1000;
		pid = spawn(answer_then_close, &e, TS_ROLE_PARTICIPANT);
		start_ns = ts_now_ns();
		if (EXPECT(open_link(&e, TS_ROLE_GUEST, &link), 0, t) &&
		    EXPECT(exchange(link, TS_ROLE_GUEST, 1, e.records), 0, t) &&
		    EXPECT(exchange(link, TS_ROLE_GUEST, TS__LINK_RECORD_MAX, e.records), 0, t))
			CHECK(ts_now_ns() - start_ns < 2000000000u);
		ts__link_close(link);
		CHECK_EQ_U64(reap(pid), 0);
	}
}

static void test_participant_close_gives_guest_eof_on_recv_and_send(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *link = NULL;
		uint8_t rec[1] = { 0 };
		struct end e;
		pid_t pid;

		end_init(&e, t);
		pid = spawn(answer_one_then_close, &e, TS_ROLE_PARTICIPANT);
		if (EXPECT(open_link(&e, TS_ROLE_GUEST, &link), 0, t) &&
		    EXPECT(exchange(link, TS_ROLE_GUEST, 1, 1), 0, t)) {
			EXPECT(ts__link_recv(link, rec, sizeof(rec)), TS_EOF, t);
			EXPECT(ts__link_send(link, rec, sizeof(rec)), TS_EOF, t);
		}
		ts__link_close(link);
		CHECK_EQ_U64(reap(pid), 0);
	}
}

static void test_guest_close_gives_participant_eof(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *link = NULL;
		struct end e;
		pid_t pid;

		end_init(&e, t);
		pid = spawn(expect_eof, &e, TS_ROLE_PARTICIPANT);
		EXPECT(open_link(&e, TS_ROLE_GUEST, &link), 0, t);
		ts__link_close(link);
		CHECK_EQ_U64(reap(pid), 0);
	}
}

/* The child plays killed_role; this process the other end, which must see TS_EOF soon. */
static void killed_end_gives_eof_within_1s(enum ts_transport t, enum ts_role killed_role)
{
	struct ts__link *link = NULL;
	uint8_t rec[1];
	struct end e;
	pid_t pid;

	end_init(&e, t);
	pid = spawn(wait_to_be_killed, &e, killed_role);
	if (EXPECT(open_link(&e, other(killed_role), &link), 0, t) &&
	    EXPECT(ts__link_recv(link, rec, sizeof(rec)), 0, t)) {
		/* Not reaped before recv: an unreaped zombie must count as dead too. */
		kill(pid, SIGKILL);
		uint64_t start_ns = ts_now_ns();
		EXPECT(ts__link_recv(link, rec, sizeof(rec)), TS_EOF, t);
		CHECK(ts_now_ns() - start_ns < DEATH_NOTICED_NS);
	}
	ts__link_close(link);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_killed_participant_gives_guest_eof_within_1s(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		killed_end_gives_eof_within_1s(transports[i], TS_ROLE_PARTICIPANT);
}

static void test_killed_guest_gives_participant_eof_within_1s(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++)
		killed_end_gives_eof_within_1s(transports[i], TS_ROLE_GUEST);
}

static void test_connect_alone_ends_when_keep_waiting_says_so(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		for (enum ts_role role = TS_ROLE_GUEST; role <= TS_ROLE_PARTICIPANT; role++) {
			enum ts_transport t = transports[i];
			struct ts__link *link = NULL;
			struct end e;

			end_init(&e, t);
			e.deadline_ns = ts_now_ns() + 100000000u;
			if (EXPECT(ts__link_prepare(&link, role, &e.cfg), 0, t)) {
				EXPECT(ts__link_connect(link), -ETIMEDOUT, t);
				CHECK(ts_now_ns() < e.deadline_ns + 500000000u);
			}
			ts__link_close(link);
		}
	}
}

static void test_records_must_be_1_to_64_bytes_on_a_connected_link(void)
{
	uint8_t rec[TS__LINK_RECORD_MAX + 1] = { 0 };

	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *link = NULL;
		struct end e;
		pid_t pid;

		end_init(&e, t);
		if (!EXPECT(ts__link_prepare(&link, TS_ROLE_GUEST, &e.cfg), 0, t))
			continue;
		EXPECT(ts__link_send(link, rec, 1), -ENOTCONN, t);
		pid = spawn(expect_eof, &e, TS_ROLE_PARTICIPANT);
		if (EXPECT(ts__link_connect(link), 0, t)) {
			EXPECT(ts__link_send(link, rec, 0), -EINVAL, t);
			EXPECT(ts__link_send(link, rec, TS__LINK_RECORD_MAX + 1), -EINVAL, t);
			EXPECT(ts__link_recv(link, rec, TS__LINK_RECORD_MAX + 1), -EINVAL, t);
		}
		ts__link_close(link);
		CHECK_EQ_U64(reap(pid), 0);
	}
}

/* Writes text to path; the test then checks the file still holds it. */
static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static int file_holds(const char *path, const char *text)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

static void test_socket_path_that_is_a_regular_file_is_refused_and_left_intact(void)
{
	struct ts__link *link = NULL;
	struct end e;

	end_init(&e, TS_TRANSPORT_SOCKET);
	write_file(e.path, "precious");
	EXPECT(ts__link_prepare(&link, TS_ROLE_GUEST, &e.cfg), -ENOTSOCK, TS_TRANSPORT_SOCKET);
	CHECK(link == NULL);
	/* The participant end says so too, instead of waiting for a listener. */
	if (EXPECT(ts__link_prepare(&link, TS_ROLE_PARTICIPANT, &e.cfg), 0, TS_TRANSPORT_SOCKET))
		EXPECT(ts__link_connect(link), -ENOTSOCK, TS_TRANSPORT_SOCKET);
	ts__link_close(link);
	CHECK(file_holds(e.path, "precious"));
}

static void test_shm_path_that_is_a_foreign_file_is_refused_and_left_intact(void)
{
	struct ts__link *link = NULL;
	struct end e;

	end_init(&e, TS_TRANSPORT_SHM);
	write_file(e.path, "precious");
	EXPECT(ts__link_prepare(&link, TS_ROLE_GUEST, &e.cfg), -EEXIST, TS_TRANSPORT_SHM);
	CHECK(link == NULL);
	CHECK(file_holds(e.path, "precious"));
}

/* FIFO pairs and socket paths are claimed (TS_EINUSE); a live guest's shm file is its own. */
static void test_second_live_guest_on_the_same_path_is_refused(void)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *first = NULL, *second = NULL;
		struct end e;

		end_init(&e, t);
		if (EXPECT(ts__link_prepare(&first, TS_ROLE_GUEST, &e.cfg), 0, t))
			EXPECT(ts__link_prepare(&second, TS_ROLE_GUEST, &e.cfg),
			       t == TS_TRANSPORT_SHM ? -EADDRINUSE : TS_EINUSE, t);
		ts__link_close(second);
		ts__link_close(first);
	}
}

/* A participant already waits while a dead guest's file is there; a new guest replaces it. */
static void test_files_of_a_dead_guest_are_replaced(void)
{
	for (size_t i = 1; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *link = NULL;
		struct end e;
		pid_t pid;

		end_init(&e, t);
		e.records = 10;
		reap(spawn(prepare_then_die, &e, TS_ROLE_GUEST));
		CHECK(path_exists(e.path));
		pid = spawn_waiting(answer_then_close, &e, TS_ROLE_PARTICIPANT);
		if (EXPECT(open_link(&e, TS_ROLE_GUEST, &link), 0, t)) {
			EXPECT(exchange(link, TS_ROLE_GUEST, 1, e.records), 0, t);
			EXPECT(exchange(link, TS_ROLE_GUEST, TS__LINK_RECORD_MAX, e.records), 0, t);
		}
		ts__link_close(link);
		CHECK_EQ_U64(reap(pid), 0);
	}
}

static void test_guest_close_before_connect_removes_its_file(void)
{
	for (size_t i = 1; i < N_TRANSPORTS; i++) {
		enum ts_transport t = transports[i];
		struct ts__link *link = NULL;
		struct end e;

		end_init(&e, t);
		if (EXPECT(ts__link_prepare(&link, TS_ROLE_GUEST, &e.cfg), 0, t))
			CHECK(path_exists(e.path));
		ts__link_close(link);
		CHECK(!path_exists(e.path));
	}
}

/* Mean round trip of count records of len bytes, measured at the guest end. */
static uint64_t round_trip_ns(struct ts__link *link, size_t len, unsigned int count)
{
	uint64_t start_ns = ts_now_ns();

	if (exchange(link, TS_ROLE_GUEST, len, count) < 0)
		return 0;
	return (ts_now_ns() - start_ns) / count;
}

static int measure_latency(unsigned int count)
{
	const uint64_t spins[] = { SPIN_NS, 0 };

	printf("round trip, mean of %u: transport, spin_ns, 1 byte, %d bytes\n", count,
	       TS__LINK_RECORD_MAX);
	for (size_t s = 0; s < sizeof(spins) / sizeof(spins[0]); s++) {
		for (size_t i = 0; i < N_TRANSPORTS; i++) {
			enum ts_transport t = transports[i];
			struct ts__link *link = NULL;
			struct end e;
			pid_t pid;

			end_init_in(&e, t, t == TS_TRANSPORT_SHM ? "/dev/shm" : test_dir);
			e.records = count;
			e.cfg.wait.spin_ns = spins[s];
			e.cfg.wait.keep_waiting = NULL;
			pid = spawn(answer_then_close, &e, TS_ROLE_PARTICIPANT);
			if (open_link(&e, TS_ROLE_GUEST, &link) < 0)
				return 1;
			uint64_t one = round_trip_ns(link, 1, count);
			uint64_t full = round_trip_ns(link, TS__LINK_RECORD_MAX, count);
			printf("%-6s %6" PRIu64 " %8" PRIu64 " ns %8" PRIu64 " ns\n",
			       ts_transport_name(t), spins[s], one, full);
			ts__link_close(link);
			reap(pid);
		}
	}
	return 0;
}

static void remove_test_dir(void)
{
	DIR *dir = opendir(test_dir);
	struct dirent *entry;
	char path[sizeof(test_dir) + sizeof(entry->d_name) + 1];

	while (dir && (entry = readdir(dir))) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", test_dir, entry->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	rmdir(test_dir);
}

int main(int argc, char **argv)
{
	int ret;

	/* As QEMU does: a FIFO whose reader is gone then gives EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(test_dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "--latency") == 0) {
		ret = measure_latency(argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 10) : 100000);
		remove_test_dir();
		return ret;
	}
	RUN(test_transport_names_parse_in_any_case);
	RUN(test_every_transport_name_parses_back);
	RUN(test_records_of_1_and_64_bytes_go_both_ways_guest_first);
	RUN(test_records_of_1_and_64_bytes_go_both_ways_participant_first);
	RUN(test_sleeping_end_is_woken_by_each_record);
	RUN(test_participant_close_gives_guest_eof_on_recv_and_send);
	RUN(test_guest_close_gives_participant_eof);
	RUN(test_killed_participant_gives_guest_eof_within_1s);
	RUN(test_killed_guest_gives_participant_eof_within_1s);
	RUN(test_connect_alone_ends_when_keep_waiting_says_so);
	RUN(test_records_must_be_1_to_64_bytes_on_a_connected_link);
	RUN(test_socket_path_that_is_a_regular_file_is_refused_and_left_intact);
	RUN(test_shm_path_that_is_a_foreign_file_is_refused_and_left_intact);
	RUN(test_second_live_guest_on_the_same_path_is_refused);
	RUN(test_files_of_a_dead_guest_are_replaced);
	RUN(test_guest_close_before_connect_removes_its_file);
	remove_test_dir();
	return CHECK_EXIT();
}
