/* SPDX-License-Identifier: MIT */
/*
 * libSeedAlgorithmPlugin.so: the seed plugin's algorithm (shared/DESIGN.md), rebuilt for
 * the benchmarks only, so that they compare libTimeSyncPlugin.so with it on equal terms:
 * the same qemu-plugin.h, compiler and options.
 *
 * A C callback on every executed translation block adds the block's instruction count
 * to one global counter; once the counter is strictly greater than the quantum it is
 * reset to 0 (the overshoot is lost) and the plugin syncs over blocking FIFOs: one byte
 * to GuestToHostPipe, then a blocking read of one byte from HostToGuestPipe. The pipes
 * are opened at the first boundary, HostToGuestPipe for reading first.
 *
 * Unlike the seed it stores the instruction count in the callback's userdata instead of
 * a heap allocation per translated block, so that the time comparison is not about
 * memory. The option leak=on restores the seed's allocation, never freed, for the
 * memory benchmark. At exit it prints one line of statistics to stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct {
	const char *host_to_guest;
	const char *guest_to_host;
	uint64_t quantum_insns;   /* -icount shift=0: one instruction per ns */
	bool leak;                /* one malloc per translated block, as the seed */
	uint64_t executed;        /* instructions since the last boundary (global, as the seed) */
	int read_fd;              /* HostToGuestPipe, -1 until the first boundary */
	int write_fd;             /* GuestToHostPipe */
	uint64_t syncs;
	uint64_t waited_total_ns;
	atomic_uint_fast64_t translated; /* blocks translated, for the memory benchmark */
} seed = { .read_fd = -1, .write_fd = -1 };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "seed-algorithm: %s %s failed; stopping QEMU\n", what, path);
	exit(EXIT_FAILURE);
}

static void boundary_sync(void)
{
	char byte = 'c';
	uint64_t start_ns = now_ns();

	if (seed.read_fd < 0) {
		seed.read_fd = open(seed.host_to_guest, O_RDONLY);
		if (seed.read_fd < 0)
			die("opening", seed.host_to_guest);
		seed.write_fd = open(seed.guest_to_host, O_WRONLY);
		if (seed.write_fd < 0)
			die("opening", seed.guest_to_host);
	}
	if (write(seed.write_fd, &byte, 1) != 1)
		die("writing", seed.guest_to_host);
	if (read(seed.read_fd, &byte, 1) != 1)
		die("reading", seed.host_to_guest);
	seed.syncs++;
	seed.waited_total_ns += now_ns() - start_ns;
}

static void count_and_sync(uint64_t block_insns)
{
	seed.executed += block_insns;
	if (seed.executed > seed.quantum_insns) {
		seed.executed = 0;
		boundary_sync();
	}
}

static void vcpu_tb_exec(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	count_and_sync((uintptr_t)udata);
}

static void vcpu_tb_exec_leaky(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	count_and_sync(*(const uint64_t *)udata);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t block_insns = qemu_plugin_tb_n_insns(tb);

	(void)id;
	atomic_fetch_add_explicit(&seed.translated, 1, memory_order_relaxed);
	if (seed.leak) {
		uint64_t *leaked = malloc(sizeof(*leaked));

		if (!leaked)
			abort();
		*leaked = block_insns;
		qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_tb_exec_leaky,
						     QEMU_PLUGIN_CB_NO_REGS, leaked);
		return;
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)block_insns);
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	fprintf(stderr,
		"seed-algorithm: exit: %" PRIu64 " syncs, waited for participant mean %" PRIu64
		" ns, %" PRIu64 " blocks translated\n",
		seed.syncs, seed.syncs ? seed.waited_total_ns / seed.syncs : 0,
		(uint64_t)atomic_load(&seed.translated));
}

static bool parse_quantum_us(const char *text, uint64_t *quantum_insns)
{
	char *end;
	unsigned long long us;

	if (*text < '0' || *text > '9')
		return false;
	us = strtoull(text, &end, 10);
	if (*end != '\0' || us == 0 || us > UINT64_MAX / 1000)
		return false;
	*quantum_insns = us * 1000;
	return true;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	seed.quantum_insns = 1000000;
	for (int i = 0; i < argc; i++) {
		const char *value = strchr(argv[i], '=');
		size_t key_len = value ? (size_t)(value - argv[i]) : strlen(argv[i]);
		bool ok = value != NULL;

#define KEY_IS(name) (key_len == strlen(name) && strncasecmp(argv[i], name, key_len) == 0)
		if (ok && KEY_IS("HostToGuestPipe"))
			seed.host_to_guest = value + 1;
		else if (ok && KEY_IS("GuestToHostPipe"))
			seed.guest_to_host = value + 1;
		else if (ok && KEY_IS("TimeinMicroseconds"))
			ok = parse_quantum_us(value + 1, &seed.quantum_insns);
		else if (ok && KEY_IS("leak"))
			ok = qemu_plugin_bool_parse("leak", value + 1, &seed.leak);
		else
			ok = false;
#undef KEY_IS
		if (!ok) {
			fprintf(stderr, "seed-algorithm: bad option '%s'\n", argv[i]);
			return -1;
		}
	}
	if (!seed.host_to_guest || !seed.guest_to_host) {
		fprintf(stderr, "seed-algorithm: HostToGuestPipe= and GuestToHostPipe= are required\n");
		return -1;
	}
	/* QEMU frees argv once this returns. */
	seed.host_to_guest = strdup(seed.host_to_guest);
	seed.guest_to_host = strdup(seed.guest_to_host);
	if (!seed.host_to_guest || !seed.guest_to_host)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
