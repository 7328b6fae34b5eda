/* SPDX-License-Identifier: MIT */
/*
 * The shared-memory transport, for microsecond quanta: a file both ends map, with one
 * single-slot ring per direction. A record costs a few loads and stores while the reader
 * spins; a reader that has spun long enough sleeps on a futex, and only then does the
 * writer pay for FUTEX_WAKE.
 *
 * Each end holds an OFD lock on its own byte of the file while it lives. The kernel drops
 * it when the process dies, even while the process is an unreaped zombie and whatever its
 * pid namespace: kill(pid, 0) would see neither (the pids in the header are for people).
 */
#define _GNU_SOURCE /* F_OFD_SETLK, syscall() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define SHM_MAGIC 0x314d5354u /* "TSM1" */
#define SHM_LAYOUT_VERSION 1u
#define CACHE_LINE 64
/* A sleeping end checks at least this often that the other one still lives. */
#define PEER_CHECK_MS 100

_Static_assert(sizeof(atomic_uint) == 4 && ATOMIC_INT_LOCK_FREE == 2,
	      "futex words are lock-free 32-bit atomics");

/* One direction: the writer publishes a record, the reader consumes it. */
struct shm_slot {
	/* Written by the writer. */
	alignas(CACHE_LINE) atomic_uint published; /* records published: the reader's futex */
	atomic_uint writer_sleeps; /* 1 while the writer sleeps on consumed */
	uint32_t len;              /* bytes in payload */
	alignas(CACHE_LINE) unsigned char payload[TS__LINK_RECORD_MAX];
	/* Written by the reader. */
	alignas(CACHE_LINE) atomic_uint consumed; /* records consumed: the writer's futex */
	atomic_uint reader_sleeps; /* 1 while the reader sleeps on published */
};

struct shm_header {
	atomic_uint magic;           /* SHM_MAGIC, stored last by the guest end */
	uint32_t layout_version;     /* SHM_LAYOUT_VERSION */
	uint32_t size;               /* sizeof(struct shm_file) */
	int32_t guest_pid;
	atomic_uint participant_pid; /* 0 until a participant joined */
	atomic_uint closed[2];       /* by enum ts_role: that end closed the link */
};

struct shm_file {
	alignas(CACHE_LINE) struct shm_header header;
	struct shm_slot slot[2]; /* by the writer's enum ts_role */
};

_Static_assert(sizeof(struct shm_file) == 7 * CACHE_LINE, "layout version 1");

struct ts__shm {
	struct shm_file *file;
	int fd;
	enum ts_role role;
	char *path;        /* guest end: the file it created, until it removes it */
	uint32_t sent;     /* records published on our slot */
	uint32_t received; /* records consumed from the other end's slot */
};

static enum ts_role other(enum ts_role role)
{
	return role == TS_ROLE_GUEST ? TS_ROLE_PARTICIPANT : TS_ROLE_GUEST;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static void futex_wait(atomic_uint *word, unsigned int old, int timeout_ms)
{
	struct timespec timeout = { .tv_sec = timeout_ms / 1000,
				    .tv_nsec = (long)(timeout_ms % 1000) * 1000000 };

	syscall(SYS_futex, word, FUTEX_WAIT, old, &timeout, NULL, 0);
}

static void futex_wake(atomic_uint *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static int hold_lock(int fd, enum ts_role role)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = role, .l_len = 1 };

	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	return errno == EAGAIN || errno == EACCES ? -EADDRINUSE : -errno;
}

/* Whether another open file holds role's lock, that is whether that end is alive. */
static int lock_held(int fd, enum ts_role role)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = role, .l_len = 1 };

	if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
		return 1; /* cannot tell: never declare a live end dead */
	return fl.l_type != F_UNLCK;
}

static struct ts__shm *shm_new(enum ts_role role)
{
	struct ts__shm *shm = calloc(1, sizeof(*shm));

	if (shm) {
		shm->fd = -1;
		shm->role = role;
	}
	return shm;
}

static int map_file(struct ts__shm *shm)
{
	void *p = mmap(NULL, sizeof(*shm->file), PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	shm->file = p;
	return 0;
}

/* Removes the file the guest end created, unless someone replaced it meanwhile. */
static void remove_name(struct ts__shm *shm)
{
	struct stat mine, there;

	if (!shm->path)
		return;
	if (fstat(shm->fd, &mine) == 0 && stat(shm->path, &there) == 0 &&
	    mine.st_dev == there.st_dev && mine.st_ino == there.st_ino)
		unlink(shm->path);
	free(shm->path);
	shm->path = NULL;
}

/* Frees everything without telling the other end. */
static void release(struct ts__shm *shm)
{
	if (shm->file)
		munmap(shm->file, sizeof(*shm->file));
	remove_name(shm);
	if (shm->fd >= 0)
		close(shm->fd);
	free(shm);
}

/* Reads the header of the file at path into *header; -EEXIST if it is no link file. */
static int read_header(const char *path, int *fd, struct shm_header *header)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		return errno == ELOOP ? -EEXIST : -errno;
	if (fstat(*fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size != (off_t)sizeof(struct shm_file))
		return -EEXIST;
	if (pread(*fd, header, sizeof(*header), 0) != (ssize_t)sizeof(*header))
		return -EEXIST;
	return 0;
}

/*
 * Clears the way for a new file at path: removes the file of a guest that died, refuses
 * one of a live guest (-EADDRINUSE) and anything else (-EEXIST).
 */
static int remove_stale_file(const char *path)
{
	struct shm_header header;
	int fd, ret;

	ret = read_header(path, &fd, &header);
	if (ret < 0)
		goto out;
	if (atomic_load(&header.magic) != SHM_MAGIC) {
		ret = -EEXIST;
		goto out;
	}
	if (lock_held(fd, TS_ROLE_GUEST)) {
		ret = -EADDRINUSE;
		goto out;
	}
	ret = unlink(path) == 0 ? 0 : -errno;
out:
	if (fd >= 0)
		close(fd);
	return ret == -ENOENT ? 0 : ret;
}

static int create_file(const char *path)
{
	int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
	int fd = open(path, flags, 0600);

	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : -errno;
	int ret = remove_stale_file(path);
	if (ret < 0)
		return ret;
	fd = open(path, flags, 0600);
	return fd >= 0 ? fd : -errno;
}

/* The guest end holds its lock already: a participant that sees the magic sees it alive. */
static void init_header(struct shm_header *header)
{
	header->layout_version = SHM_LAYOUT_VERSION;
	header->size = sizeof(struct shm_file);
	header->guest_pid = (int32_t)getpid();
	atomic_store_explicit(&header->magic, SHM_MAGIC, memory_order_release);
}

int ts__shm_create(struct ts__shm **out, const char *path)
{
	struct ts__shm *shm = shm_new(TS_ROLE_GUEST);
	int ret;

	if (!shm)
		return -ENOMEM;
	ret = create_file(path);
	if (ret < 0)
		goto out;
	shm->fd = ret;
	shm->path = strdup(path);
	if (!shm->path) {
		unlink(path);
		ret = -ENOMEM;
		goto out;
	}
	ret = hold_lock(shm->fd, TS_ROLE_GUEST);
	if (ret < 0)
		goto out;
	if (ftruncate(shm->fd, sizeof(*shm->file)) != 0) {
		ret = -errno;
		goto out;
	}
	ret = map_file(shm);
	if (ret < 0)
		goto out;
	init_header(&shm->file->header);
	*out = shm;
	return 0;
out:
	release(shm);
	return ret;
}

int ts__shm_accept(struct ts__shm *shm)
{
	if (!atomic_load_explicit(&shm->file->header.participant_pid, memory_order_acquire))
		return -EAGAIN;
	remove_name(shm);
	return 0;
}

/* Checks the mapped header: 0 when a live guest's link waits for a participant. */
static int check_guest(const struct ts__shm *shm)
{
	struct shm_header *header = &shm->file->header;
	unsigned int magic = atomic_load_explicit(&header->magic, memory_order_acquire);

	if (magic == 0)
		return -EAGAIN; /* the guest end is still writing it */
	if (magic != SHM_MAGIC || header->layout_version != SHM_LAYOUT_VERSION ||
	    header->size != sizeof(*shm->file))
		return TS_EPROTO;
	if (!lock_held(shm->fd, TS_ROLE_GUEST) || atomic_load(&header->closed[TS_ROLE_GUEST]))
		return -EAGAIN; /* left by a dead or closed guest: wait for a new one */
	return 0;
}

/* Maps the file a guest end created; -EAGAIN while it is not there or not sized yet. */
static int open_guest_file(struct ts__shm *shm, const char *path)
{
	struct stat st;

	shm->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (shm->fd < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	if (fstat(shm->fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < (off_t)sizeof(*shm->file))
		return -EAGAIN;
	return map_file(shm);
}

int ts__shm_join(struct ts__shm **out, const char *path)
{
	struct ts__shm *shm = shm_new(TS_ROLE_PARTICIPANT);
	unsigned int nobody = 0;
	int ret;

	if (!shm)
		return -ENOMEM;
	ret = open_guest_file(shm, path);
	if (ret == 0)
		ret = check_guest(shm);
	if (ret == 0)
		ret = hold_lock(shm->fd, TS_ROLE_PARTICIPANT);
	/* Taken by a participant that died since: this guest is going away, wait for the next. */
	if (ret == 0 && !atomic_compare_exchange_strong(&shm->file->header.participant_pid,
							&nobody, (unsigned int)getpid()))
		ret = -EAGAIN;
	if (ret < 0) {
		release(shm);
		return ret;
	}
	*out = shm;
	return 0;
}

/* The other end closed the link or died; a syscall, so only for the slow path. */
static int peer_gone(const struct ts__shm *shm)
{
	enum ts_role peer = other(shm->role);

	if (atomic_load_explicit(&shm->file->header.closed[peer], memory_order_acquire))
		return 1;
	return !lock_held(shm->fd, peer);
}

/* 1 once *word is no longer old, 0 after spin_ns; reads the clock only when it must wait. */
static int spin_until_change(atomic_uint *word, unsigned int old, uint64_t spin_ns)
{
	uint64_t end_ns = 0;
	unsigned int spins = 0;

	while (atomic_load_explicit(word, memory_order_acquire) == old) {
		if (spins++ % 64 == 0) {
			uint64_t now_ns = ts_now_ns();

			if (!end_ns)
				end_ns = now_ns + spin_ns;
			if (now_ns >= end_ns)
				return 0;
		}
		cpu_relax();
	}
	return 1;
}

/* A word to wait on until it is no longer old, in the file of shm. */
struct word_change {
	const struct ts__shm *shm;
	atomic_uint *word;
	unsigned int old;
};

/*
 * One look at the word, then a nap on its futex short enough to notice an end that died.
 * The caller announced that it sleeps, so the writer will wake it: the seq_cst loads here
 * and the writer's seq_cst store of *word then load of the sleeps flag make sure one of
 * the two sees the other.
 */
static int check_then_nap(void *arg, int timeout_ms)
{
	const struct word_change *change = arg;

	if (atomic_load(change->word) != change->old)
		return 0;
	/* What the other end did before it went away still counts. */
	if (peer_gone(change->shm))
		return atomic_load(change->word) != change->old ? 0 : TS_EOF;
	futex_wait(change->word, change->old, timeout_ms);
	return atomic_load(change->word) != change->old ? 0 : -EAGAIN;
}

/* Waits until *word is no longer old: spins for wait->spin_ns, then sleeps. */
static int wait_change(const struct ts__shm *shm, atomic_uint *word, unsigned int old,
		       atomic_uint *sleeps, const struct ts_wait *wait)
{
	struct word_change change = { .shm = shm, .word = word, .old = old };
	int ret;

	if (spin_until_change(word, old, wait ? wait->spin_ns : 0))
		return 0;
	atomic_store(sleeps, 1);
	ret = ts__wait_until(check_then_nap, &change, 0, PEER_CHECK_MS, wait);
	atomic_store(sleeps, 0);
	return ret;
}

/* Stores value in *word and wakes the other end if it said it sleeps on it. */
static void publish(atomic_uint *word, unsigned int value, atomic_uint *sleeps)
{
	atomic_store(word, value);
	if (atomic_load(sleeps))
		futex_wake(word);
}

int ts__shm_send(struct ts__shm *shm, const void *rec, size_t len, const struct ts_wait *wait)
{
	struct shm_slot *out = &shm->file->slot[shm->role];
	int ret;

	if (len == 0 || len > TS__LINK_RECORD_MAX)
		return -EINVAL;
	if (atomic_load_explicit(&shm->file->header.closed[other(shm->role)],
				 memory_order_acquire))
		return TS_EOF;
	/* One slot: wait until the previous record has been consumed. */
	ret = wait_change(shm, &out->consumed, shm->sent - 1, &out->writer_sleeps, wait);
	if (ret < 0)
		return ret;
	memcpy(out->payload, rec, len);
	out->len = (uint32_t)len;
	publish(&out->published, ++shm->sent, &out->reader_sleeps);
	return 0;
}

int ts__shm_recv(struct ts__shm *shm, void *rec, size_t len, const struct ts_wait *wait)
{
	struct shm_slot *in = &shm->file->slot[other(shm->role)];
	int ret;

	if (len == 0 || len > TS__LINK_RECORD_MAX)
		return -EINVAL;
	ret = wait_change(shm, &in->published, shm->received, &in->reader_sleeps, wait);
	if (ret < 0)
		return ret;
	if (in->len != len)
		return TS_EPROTO;
	memcpy(rec, in->payload, len);
	publish(&in->consumed, ++shm->received, &in->writer_sleeps);
	return 0;
}

void ts__shm_close(struct ts__shm *shm)
{
	if (!shm)
		return;
	/* Wake the other end wherever it sleeps: reading our slot or waiting for its own. */
	atomic_store(&shm->file->header.closed[shm->role], 1);
	futex_wake(&shm->file->slot[shm->role].published);
	futex_wake(&shm->file->slot[other(shm->role)].consumed);
	release(shm);
}
