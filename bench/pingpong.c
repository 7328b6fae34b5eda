/* SPDX-License-Identifier: MIT */
/*
 * pingpong: the raw round trip between two processes, without libtimesync: the floor the
 * transports of bench/transports.sh are compared with.
 *
 *   pingpong MODE TRIPS
 *
 * MODE:
 *   pipe-block  one byte each way over two pipes, blocking reads (the reader sleeps)
 *   pipe-spin   the same, both ends spinning on non-blocking reads
 *   socket-spin one byte each way over a Unix stream socket pair, both ends spinning on
 *               non-blocking reads (the floor of the socket transport)
 *   shm-spin    one atomic flag each way in shared memory, both ends spinning
 *
 * The parent sends, the child answers. After TRIPS / 10 round trips to warm up, prints
 * "MODE DONE MEAN_NS": the mean round trip of DONE more, measured at the parent; DONE is
 * TRIPS unless that took longer than TIME_LIMIT_NS (two spinning processes that share
 * one core on a busy machine take a scheduler slice per trip).
 */
#define _GNU_SOURCE /* prctl() */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CACHE_LINE 64
/* Each of warming up and measuring ends after this long, whatever TRIPS says. */
#define TIME_LIMIT_NS 2000000000ull
/* The clock is read every this many trips to check the time limit. */
#define TRIPS_PER_CHECK 256u
/* The parent's last flag value (shared memory): no more trips. */
#define STOP_SEQ UINT_MAX

enum mode { PIPE_BLOCK, PIPE_SPIN, SOCKET_SPIN, SHM_SPIN };
static const char *const mode_names[] = { "pipe-block", "pipe-spin", "socket-spin",
					  "shm-spin" };

/* One flag per direction, each on its own cache line: the sequence number of the last trip. */
struct flags {
	alignas(CACHE_LINE) atomic_uint ping;
	alignas(CACHE_LINE) atomic_uint pong;
};

/* Everything both processes use; set up before fork(). */
struct channel {
	enum mode mode;
	int to_child[2];  /* pipe: [0] read end, [1] write end; socket: [0] the child's */
	int to_parent[2]; /* socket: [0] the parent's, [1] the child's */
	struct flags *flags;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static void die(const char *what)
{
	fprintf(stderr, "pingpong: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Reads one byte: blocking, or spinning while a non-blocking read says EAGAIN. */
static bool read_byte(int fd)
{
	unsigned char byte;

	for (;;) {
		ssize_t n = read(fd, &byte, 1);

		if (n == 1)
			return true;
		if (n == 0)
			return false; /* the writer closed the pipe */
		if (errno != EAGAIN && errno != EINTR)
			die("read");
	}
}

static void write_byte(int fd)
{
	unsigned char byte = 1;

	while (write(fd, &byte, 1) != 1)
		if (errno != EINTR)
			die("write");
}

/* Spins until *flag holds seq or STOP_SEQ; returns what it holds. */
static unsigned int spin_for(atomic_uint *flag, unsigned int seq)
{
	unsigned int value;

	while ((value = atomic_load_explicit(flag, memory_order_acquire)) != seq &&
	       value != STOP_SEQ)
		cpu_relax();
	return value;
}

/* One round trip, trip number seq (from 1), at the parent. */
static void ping(const struct channel *ch, unsigned int seq)
{
	if (ch->mode == SHM_SPIN) {
		atomic_store_explicit(&ch->flags->ping, seq, memory_order_release);
		spin_for(&ch->flags->pong, seq);
		return;
	}
	write_byte(ch->to_child[1]);
	if (!read_byte(ch->to_parent[0])) {
		errno = EPIPE;
		die("read");
	}
}

/* The child's answer to trip seq; false when the parent says there are no more. */
static bool pong(const struct channel *ch, unsigned int seq)
{
	if (ch->mode == SHM_SPIN) {
		if (spin_for(&ch->flags->ping, seq) == STOP_SEQ)
			return false;
		atomic_store_explicit(&ch->flags->pong, seq, memory_order_release);
		return true;
	}
	if (!read_byte(ch->to_child[0]))
		return false;
	write_byte(ch->to_parent[1]);
	return true;
}

/* Tells the child that there are no more trips. */
static void stop(const struct channel *ch)
{
	if (ch->mode == SHM_SPIN)
		atomic_store_explicit(&ch->flags->ping, STOP_SEQ, memory_order_release);
	else
		close(ch->to_child[1]);
}

/* Up to trips round trips from *seq on, for at most TIME_LIMIT_NS; returns how many. */
static unsigned int ping_for(const struct channel *ch, unsigned int *seq, unsigned int trips)
{
	uint64_t end_ns = now_ns() + TIME_LIMIT_NS;
	unsigned int done = 0;

	while (done < trips) {
		ping(ch, ++*seq);
		if (++done % TRIPS_PER_CHECK == 0 && now_ns() >= end_ns)
			break;
	}
	return done;
}

static void channel_open(struct channel *ch, enum mode mode)
{
	ch->mode = mode;
	if (mode == SHM_SPIN) {
		void *p = mmap(NULL, sizeof(*ch->flags), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		ch->flags = p; /* zero-filled: no trip yet */
		return;
	}
	if (mode == SOCKET_SPIN) {
		int fds[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
			die("socketpair");
		/* Each end reads and writes its own socket. */
		ch->to_child[1] = ch->to_parent[0] = fds[0];
		ch->to_child[0] = ch->to_parent[1] = fds[1];
	} else if (pipe(ch->to_child) != 0 || pipe(ch->to_parent) != 0) {
		die("pipe");
	}
	if (mode != PIPE_BLOCK && (fcntl(ch->to_child[0], F_SETFL, O_NONBLOCK) != 0 ||
				   fcntl(ch->to_parent[0], F_SETFL, O_NONBLOCK) != 0))
		die("fcntl");
}

/* Closes the pipe ends the other process uses, so that closing ours means EOF there. */
static void channel_keep_end(struct channel *ch, bool parent)
{
	if (ch->mode == SHM_SPIN)
		return;
	close(parent ? ch->to_child[0] : ch->to_child[1]);
	if (ch->mode != SOCKET_SPIN) /* a socket end is both */
		close(parent ? ch->to_parent[1] : ch->to_parent[0]);
}

static int parse_mode(const char *name, enum mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum mode)i;
			return 0;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct channel ch;
	enum mode mode;
	char *end = NULL;
	unsigned long trips = argc == 3 ? strtoul(argv[2], &end, 10) : 0;
	int status;

	if (argc != 3 || parse_mode(argv[1], &mode) != 0 || *end || trips == 0 ||
	    trips > 100000000ul) {
		fprintf(stderr, "usage: pingpong pipe-block|pipe-spin|socket-spin|shm-spin TRIPS (1 .. 10^8)\n");
		return 2;
	}
	unsigned int seq = 0;
	pid_t parent = getpid();

	channel_open(&ch, mode);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* A spinning child must not outlive a parent that was killed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		channel_keep_end(&ch, false);
		while (pong(&ch, ++seq))
			;
		_exit(0);
	}
	channel_keep_end(&ch, true);
	ping_for(&ch, &seq, (unsigned int)(trips / 10));
	uint64_t start_ns = now_ns();
	unsigned int done = ping_for(&ch, &seq, (unsigned int)trips);
	uint64_t mean_ns = (now_ns() - start_ns) / done;

	stop(&ch);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pingpong: the answering process failed\n");
		return 1;
	}
	printf("%s %u %" PRIu64 "\n", mode_names[mode], done, mean_ns);
	return 0;
}
