/* SPDX-License-Identifier: MIT */
/*
 * libTimeSyncPlugin.so: halts the guest at every quantum of guest time and waits for
 * the participant. This file is the QEMU glue only: time accounting is timekeeper.c,
 * option parsing options.c, the transport libtimesync.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qemu-plugin.h>

#include "options.h"
#include "timekeeper.h"
#include "timesync.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Protocol v1: the byte the plugin writes at a boundary (the participant may send any). */
#define V1_HALT_BYTE 'h'
/* Spin this long on the participant's answer before blocking (see DESIGN.md, latency). */
#define ANSWER_SPIN_NS 20000u
/* Tell the user the guest waits for a participant once it has waited this long. */
#define CONNECT_NOTICE_NS 1000000000u

struct vcpu_counter {
	uint64_t armed; /* see timekeeper.h: fires at TK_ARMED_BIAS */
};

static struct {
	pthread_mutex_t lock;
	char *host_to_guest;
	char *guest_to_host;
	struct timekeeper tk;
	struct qemu_plugin_scoreboard *score;
	qemu_plugin_u64 counter;
	uint64_t *counters; /* scratch copy of every vCPU's counter */
	int read_fd;        /* HostToGuestPipe, -1 until connected */
	int write_fd;       /* GuestToHostPipe, -1 until connected */
	uint64_t connect_start_ns;
	int connect_noticed;
	uint64_t waited_total_ns;
	uint64_t waited_max_ns;
} ts = { .lock = PTHREAD_MUTEX_INITIALIZER, .read_fd = -1, .write_fd = -1 };

static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "timesync: %s\n", line);
}

static uint64_t guest_now_ns(void)
{
	for (unsigned i = 0; i < ts.tk.n_vcpus; i++)
		ts.counters[i] = qemu_plugin_u64_get(ts.counter, i);
	return tk_insns_to_ns(&ts.tk, tk_executed(&ts.tk, ts.counters));
}

/* The participant failed us: say what happened, then end QEMU (the guest cannot go on). */
static void peer_failed(int err, const char *key, const char *path)
{
	if (err == -EPIPE || err == TS_EOF)
		say("the participant closed %s=%s", key, path);
	else
		say("%s=%s: %s", key, path, ts_strerror(err));
	say("%" PRIu64 " syncs done, guest time %" PRIu64 " ns; stopping QEMU", ts.tk.syncs,
	    guest_now_ns());
	pthread_mutex_unlock(&ts.lock);
	exit(EXIT_FAILURE);
}

static int connect_keep_waiting(void *arg)
{
	(void)arg;
	if (!ts.connect_noticed && ts_now_ns() - ts.connect_start_ns >= CONNECT_NOTICE_NS) {
		say("guest halted at its first boundary; waiting for a participant to open "
		    "%s (writing) and %s (reading)", ts.host_to_guest, ts.guest_to_host);
		ts.connect_noticed = 1;
	}
	return 0;
}

static void peer_connect(void)
{
	struct ts_wait wait = { .slice_ms = 100, .keep_waiting = connect_keep_waiting };
	int ret;

	ts.connect_start_ns = ts_now_ns();
	ret = ts_fifo_open_guest_end(ts.host_to_guest, ts.guest_to_host, &wait, &ts.read_fd,
				     &ts.write_fd);
	if (ret < 0)
		peer_failed(ret, "HostToGuestPipe", ts.host_to_guest);
	if (ts.connect_noticed)
		say("participant connected");
}

static void peer_sync(void)
{
	const struct ts_wait wait = { .spin_ns = ANSWER_SPIN_NS, .slice_ms = 100 };
	uint8_t byte = V1_HALT_BYTE;
	uint64_t start_ns;
	int ret;

	if (ts.read_fd < 0)
		peer_connect();
	start_ns = ts_now_ns();
	ret = ts_write_full(ts.write_fd, &byte, 1, &wait);
	if (ret < 0)
		peer_failed(ret, "GuestToHostPipe", ts.guest_to_host);
	ret = ts_read_full(ts.read_fd, &byte, 1, &wait);
	if (ret < 0)
		peer_failed(ret, "HostToGuestPipe", ts.host_to_guest);
	uint64_t waited = ts_now_ns() - start_ns;
	ts.waited_total_ns += waited;
	if (waited > ts.waited_max_ns)
		ts.waited_max_ns = waited;
}

/* A vCPU's counter passed its budget: deliver every boundary reached, then re-arm. */
static void vcpu_boundary(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	(void)udata;
	pthread_mutex_lock(&ts.lock);
	uint64_t now_ns = guest_now_ns();
	while (tk_boundary_due(&ts.tk, now_ns)) {
		peer_sync();
		tk_boundary_synced(&ts.tk, now_ns);
	}
	tk_rearm(&ts.tk, ts.counters);
	for (unsigned i = 0; i < ts.tk.n_vcpus; i++)
		qemu_plugin_u64_set(ts.counter, i, ts.counters[i]);
	pthread_mutex_unlock(&ts.lock);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	/* Check before counting: the callback sees the instructions executed so far. */
	qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, vcpu_boundary, QEMU_PLUGIN_CB_NO_REGS,
						  QEMU_PLUGIN_COND_GE, ts.counter,
						  TK_ARMED_BIAS, NULL);
	qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							  ts.counter,
							  qemu_plugin_tb_n_insns(tb));
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	(void)id;
	pthread_mutex_lock(&ts.lock);
	uint64_t armed = tk_add_vcpu(&ts.tk, vcpu_index);
	uint64_t *grown = realloc(ts.counters, ts.tk.vcpu_capacity * sizeof(*grown));
	if (!armed || !grown) {
		say("out of memory registering vCPU %u", vcpu_index);
		abort();
	}
	ts.counters = grown;
	qemu_plugin_u64_set(ts.counter, vcpu_index, armed);
	pthread_mutex_unlock(&ts.lock);
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	pthread_mutex_lock(&ts.lock);
	uint64_t insns = 0;
	if (ts.counters) {
		guest_now_ns();
		insns = tk_executed(&ts.tk, ts.counters);
	}
	if (ts.write_fd >= 0)
		close(ts.write_fd); /* the participant reads EOF: QEMU is gone */
	if (ts.read_fd >= 0)
		close(ts.read_fd);
	ts.read_fd = ts.write_fd = -1;
	say("exit: %" PRIu64 " syncs, guest time %" PRIu64 " ns, %" PRIu64 " instructions, "
	    "max late %" PRIu64 " ns, waited for participant mean %" PRIu64 " ns max %" PRIu64 " ns",
	    ts.tk.syncs, tk_insns_to_ns(&ts.tk, insns), insns, ts.tk.max_late_ns,
	    ts.tk.syncs ? ts.waited_total_ns / ts.tk.syncs : 0, ts.waited_max_ns);
	pthread_mutex_unlock(&ts.lock);
}

static int check_pipe(const char *key, const char *path)
{
	int ret = ts_fifo_ensure(path);

	if (ret < 0)
		say("%s=%s: %s", key, path, ts_strerror(ret));
	return ret;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	struct ts_options opts;
	struct sigaction sa;
	char err[256];

	(void)info;
	if (ts_options_parse(&opts, argc, argv, err, sizeof(err)) < 0) {
		say("%s", err);
		return -1;
	}
	if (check_pipe("HostToGuestPipe", opts.host_to_guest) < 0 ||
	    check_pipe("GuestToHostPipe", opts.guest_to_host) < 0)
		return -1;
	ts.host_to_guest = strdup(opts.host_to_guest);
	ts.guest_to_host = strdup(opts.guest_to_host);
	if (!ts.host_to_guest || !ts.guest_to_host || tk_init(&ts.tk, opts.quantum_ns, 0) < 0) {
		say("cannot set up the plugin");
		return -1;
	}
	/* A participant that went away must give EPIPE, not kill QEMU. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	ts.score = qemu_plugin_scoreboard_new(sizeof(struct vcpu_counter));
	ts.counter = qemu_plugin_scoreboard_u64_in_struct(ts.score, struct vcpu_counter, armed);
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
