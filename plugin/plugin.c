/* SPDX-License-Identifier: MIT */
/*
 * libTimeSyncPlugin.so: halts the guest at every quantum of guest time and waits for
 * the participant. This file is the QEMU glue only: time accounting is timekeeper.c,
 * options options.c, QEMU's command line cmdline.c, the participant peer.c (on
 * libtimesync's sessions).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "cmdline.h"
#include "options.h"
#include "peer.h"
#include "target.h"
#include "timekeeper.h"
#include "timesync.h"

/*
 * Plugin API levels (DESIGN.md), chosen by the qemu-plugin.h built against. From level 3
 * (QEMU 9.1; 10.0 has 4) the plugin counts in a per-vCPU scoreboard that QEMU adds to
 * inline and checks with conditional callbacks, and it reads the guest's clock register
 * (a level 2 call). Level 1 (QEMU 7.2, Debian bookworm's own) has plain C callbacks only:
 * there the plugin always counts in the shared counter (ts.shared), and guest time is
 * instruction time (follow_clock has no effect: idle time is not seen). Level 2 (QEMU
 * 9.0) would count as level 1 and read the clock: neither built nor tested.
 */
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#if QEMU_PLUGIN_VERSION >= 3
struct vcpu_counter {
	uint64_t armed; /* see timekeeper.h: fires at TK_ARMED_BIAS */
};
#endif

static struct {
	pthread_mutex_t lock; /* recursive: QEMU's exit handlers may run in a callback */
	int protocol;
	bool exact;
	FILE *trace;
	FILE *stats; /* stats=FILE: the exit statistics as JSON */
	const struct halt_insn *halt;
	uint64_t halts_seen;
	const struct clock_reg *clock;              /* the guest's clock register, if any */
	uint64_t clock_resolution_ns;
	bool clock_origin_set;
	uint64_t clock_origin_ns;                   /* the guest's clock at its first instruction */
	struct qemu_plugin_register *clock_handle; /* found at the first vCPU's init */
#if QEMU_PLUGIN_VERSION >= 2
	GByteArray *clock_buf;
#endif
	struct timekeeper tk;
#if QEMU_PLUGIN_VERSION >= 3
	struct qemu_plugin_scoreboard *score;
	qemu_plugin_u64 counter;
#endif
	uint64_t *counters; /* scratch copy of every vCPU's counter */
	/*
	 * With several vCPUs QEMU 10.0 compiles the vCPU index into each translated block
	 * (single-threaded round-robin under -icount) although blocks are shared between
	 * vCPUs, so per-vCPU scoreboards and callback indices are wrong. There the plugin
	 * counts in one counter from a C callback per block: under -icount the vCPUs run in
	 * turn and guest time is their sum anyway. API level 1 counts this way only.
	 */
	bool shared;
	uint64_t shared_counter;
	bool follow_clock;  /* guest time = the guest's clock register (idle included) */
} ts;

static void read_counters(void)
{
	if (ts.shared)
		ts.counters[0] = ts.shared_counter;
#if QEMU_PLUGIN_VERSION >= 3
	for (unsigned i = 0; !ts.shared && i < ts.tk.n_vcpus; i++)
		ts.counters[i] = qemu_plugin_u64_get(ts.counter, i);
#endif
}

static void write_counters(void)
{
	if (ts.shared)
		ts.shared_counter = ts.counters[0];
#if QEMU_PLUGIN_VERSION >= 3
	for (unsigned i = 0; !ts.shared && i < ts.tk.n_vcpus; i++)
		qemu_plugin_u64_set(ts.counter, i, ts.counters[i]);
#endif
}

static uint64_t guest_now_ns(void)
{
	read_counters();
	return tk_now_ns(&ts.tk, ts.counters);
}

/* The guest's own clock in ns, read from its clock register; UINT64_MAX if none. */
static uint64_t guest_clock_ns(void)
{
#if QEMU_PLUGIN_VERSION >= 2
	uint64_t ticks = 0;

	if (!ts.clock_handle)
		return UINT64_MAX;
	g_byte_array_set_size(ts.clock_buf, 0);
	int len = qemu_plugin_read_register(ts.clock_handle, ts.clock_buf);
	if (len <= 0 || len > 8)
		return UINT64_MAX;
	for (int i = len; i-- > 0;)
		ticks = ticks << 8 | ts.clock_buf->data[i]; /* little-endian targets */
	return target_clock_ns(ts.clock, ticks);
#else
	return UINT64_MAX;
#endif
}

static void trace_sync(uint64_t now_ns, uint64_t clock_ns, bool idle)
{
	fprintf(ts.trace, "%" PRIu64 " %" PRIu64 " %" PRIu64, ts.tk.syncs + 1,
		ts.tk.next_boundary_ns, now_ns);
	if (clock_ns == UINT64_MAX)
		fprintf(ts.trace, " -");
	else
		fprintf(ts.trace, " %" PRIu64, clock_ns);
	fprintf(ts.trace, "%s\n", idle ? " idle" : "");
}

/* A check's userdata: at a block's start the block's length (odd value), else NULL. */
#define AT_BLOCK_START(n) ((void *)(uintptr_t)((uintptr_t)(n) << 1 | 1))

/*
 * A vCPU's counter passed its budget: deliver every boundary reached, then re-arm. At a
 * block's start (only there) the guest's clock can be read ("Bad icount read" mid-block),
 * and it already includes the whole block (QEMU charges a block's instructions on entry).
 */
static void vcpu_boundary(unsigned int vcpu_index, void *udata)
{
	uintptr_t u = (uintptr_t)udata;
	uint64_t block_insns = u & 1 ? u >> 1 : 0;

	(void)vcpu_index;
	pthread_mutex_lock(&ts.lock);
	uint64_t counted_ns = guest_now_ns();
	uint64_t clock_ns = block_insns ? guest_clock_ns() : UINT64_MAX;
	uint64_t now_ns = counted_ns;

	if (clock_ns != UINT64_MAX) {
		uint64_t block_ns = tk_insns_to_ns(&ts.tk, block_insns);

		clock_ns = clock_ns > block_ns ? clock_ns - block_ns : 0;
		/*
		 * Time zero is the guest's clock at its first instruction: 0 under sleep=off,
		 * the host time QEMU let pass before the guest ran under sleep=on.
		 */
		if (!ts.clock_origin_set) {
			ts.clock_origin_ns = clock_ns > counted_ns ? clock_ns - counted_ns : 0;
			ts.clock_origin_set = true;
		}
		clock_ns = clock_ns > ts.clock_origin_ns ? clock_ns - ts.clock_origin_ns : 0;
	}
	if (ts.follow_clock && clock_ns != UINT64_MAX)
		now_ns = tk_follow_clock(&ts.tk, ts.counters, clock_ns, ts.clock_resolution_ns);
	while (tk_boundary_due(&ts.tk, now_ns)) {
		/* A boundary beyond the instructions' time was passed while idle. */
		bool idle = ts.tk.next_boundary_ns > counted_ns;
		struct ts_halt halt = {
			.reason = ts.protocol == 1 ? TS_HALT_QUANTUM : TS_HALT_GRANTED,
			.flags = idle ? TS_HALT_IDLE : 0,
			.guest_ns = idle ? ts.tk.next_boundary_ns : now_ns,
			.instructions = tk_executed(&ts.tk, ts.counters),
		};
		uint64_t until_ns = 0;

		/* QEMU wants the vCPU back (quit, stop): leave the counter armed, go on later. */
		if (peer_sync(&halt, &until_ns) == PEER_INTERRUPTED)
			goto out;
		if (ts.protocol == 2 && until_ns <= halt.guest_ns) {
			char text[TS_GOODBYE_TEXT_SIZE];

			snprintf(text, sizeof(text), "RUN_UNTIL %" PRIu64 " is not after %" PRIu64,
				 until_ns, halt.guest_ns);
			peer_protocol_error(text);
		}
		if (ts.trace)
			trace_sync(now_ns, clock_ns, idle);
		tk_boundary_synced(&ts.tk, now_ns, idle);
		if (until_ns)
			tk_set_next_boundary(&ts.tk, until_ns);
	}
	tk_rearm(&ts.tk, ts.counters);
	write_counters();
out:
	pthread_mutex_unlock(&ts.lock);
}

/*
 * A halt instruction (wfi, hlt) ran. Following the guest's clock, check right after it
 * so the idle time is seen as soon as the vCPU wakes; otherwise warn (once) that idle
 * time cannot be synchronized.
 */
static void vcpu_halt(unsigned int vcpu_index, void *udata)
{
	(void)udata;
	pthread_mutex_lock(&ts.lock);
	ts.halts_seen++;
	if (ts.follow_clock && ts.clock_handle) {
		read_counters();
		tk_fire_at_next_check(&ts.tk, ts.shared ? 0 : vcpu_index, ts.counters);
		write_counters();
	} else if (ts.halts_seen == 1)
		say("the guest executed %s: while every vCPU idles QEMU's clock moves on without "
		    "instructions, and that idle time is not synchronized. Keep the guest busy "
		    "where sync matters (Linux: idle=poll on x86, nohlt elsewhere; bare metal: "
		    "spin instead of %s), and use -icount sleep=off for reproducible runs",
		    ts.halt->mnemonic, ts.halt->mnemonic);
	pthread_mutex_unlock(&ts.lock);
}

static bool insn_is_halt(const struct qemu_plugin_insn *insn)
{
	size_t len = qemu_plugin_insn_size(insn);

	if (!ts.halt || len != ts.halt->len)
		return false;
#if QEMU_PLUGIN_VERSION >= 3
	uint8_t bytes[8];

	return qemu_plugin_insn_data(insn, bytes, sizeof(bytes)) == len &&
	       target_is_halt(ts.halt, bytes, len);
#else
	return target_is_halt(ts.halt, qemu_plugin_insn_data(insn), len);
#endif
}

/*
 * The shared counter's check and count (see ts.shared), per block, or per instruction in
 * exact mode (counting 1). udata: AT_BLOCK_START(n), or NULL inside a block.
 */
static void shared_count(unsigned int vcpu_index, void *udata)
{
	uintptr_t u = (uintptr_t)udata;

	(void)vcpu_index; /* wrong with several vCPUs: see ts.shared */
	if (ts.shared_counter >= TK_ARMED_BIAS)
		vcpu_boundary(0, udata);
	ts.shared_counter += ts.exact || !(u & 1) ? 1 : u >> 1;
}

/*
 * Every check comes before its count: the callback sees the instructions executed so
 * far. Default mode: a block is checked and counted whole at its start. Exact mode:
 * every instruction is checked and counted, the first one by the block's check (only a
 * block's check may read the guest's clock). Counting instructions one by one is also
 * what keeps exact mode exact where QEMU cuts a block short at a device access and
 * re-runs the rest uninstrumented: a block counted whole at its start counts those twice.
 */
static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	enum qemu_plugin_cb_flags start_flags = ts.clock_handle ? QEMU_PLUGIN_CB_R_REGS
								: QEMU_PLUGIN_CB_NO_REGS;

	(void)id;
	if (ts.shared)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, shared_count, start_flags,
						     AT_BLOCK_START(n));
#if QEMU_PLUGIN_VERSION >= 3
	if (!ts.shared)
		qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, vcpu_boundary, start_flags,
							  QEMU_PLUGIN_COND_GE, ts.counter,
							  TK_ARMED_BIAS, AT_BLOCK_START(n));
	if (!ts.shared && !ts.exact)
		qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(tb, QEMU_PLUGIN_INLINE_ADD_U64,
								  ts.counter, n);
#endif
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (ts.exact && ts.shared && i > 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, shared_count,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
#if QEMU_PLUGIN_VERSION >= 3
		if (ts.exact && !ts.shared && i > 0)
			qemu_plugin_register_vcpu_insn_exec_cond_cb(
				insn, vcpu_boundary, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_COND_GE,
				ts.counter, TK_ARMED_BIAS, NULL);
		if (ts.exact && !ts.shared)
			qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
				insn, QEMU_PLUGIN_INLINE_ADD_U64, ts.counter, 1);
#endif
		if (insn_is_halt(insn))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, vcpu_halt,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

#if QEMU_PLUGIN_VERSION >= 2
static void find_clock_register(void)
{
	GArray *regs = qemu_plugin_get_registers();

	for (guint i = 0; regs && i < regs->len; i++) {
		qemu_plugin_reg_descriptor *reg = &g_array_index(regs, qemu_plugin_reg_descriptor, i);

		if (strcmp(reg->name, ts.clock->name) == 0)
			ts.clock_handle = reg->handle;
	}
	if (regs)
		g_array_free(regs, TRUE);
	if (!ts.clock_handle)
		say("note: no '%s' register in this vCPU's register set: the guest's clock "
		    "cannot be read", ts.clock->name);
}
#else
/* API level 1 reads no registers: the target's clock register is as good as absent. */
static void find_clock_register(void)
{
	if (ts.follow_clock)
		say("note: QEMU's plugin API %d cannot read the guest's clock ('%s' register): "
		    "guest time is instruction time, time the guest idles is not seen",
		    QEMU_PLUGIN_VERSION, ts.clock->name);
	ts.clock = NULL;
}
#endif

#if QEMU_PLUGIN_VERSION >= 3
static void add_vcpu_counter(unsigned int vcpu_index)
{
	uint64_t armed = tk_add_vcpu(&ts.tk, vcpu_index);
	uint64_t *grown = realloc(ts.counters, ts.tk.vcpu_capacity * sizeof(*grown));

	if (!armed || !grown) {
		say("out of memory registering vCPU %u", vcpu_index);
		abort();
	}
	ts.counters = grown;
	qemu_plugin_u64_set(ts.counter, vcpu_index, armed);
}
#endif

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
	(void)id;
	pthread_mutex_lock(&ts.lock);
#if QEMU_PLUGIN_VERSION >= 3
	if (!ts.shared)
		add_vcpu_counter(vcpu_index);
#endif
	if (ts.clock && !ts.clock_handle)
		find_clock_register();
	pthread_mutex_unlock(&ts.lock);
}

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
	const struct wait_stats *waits = peer_waits();
	uint64_t insns = 0, now_ns = 0;
	uint64_t mean_ns = waits->count ? waits->total_ns / waits->count : 0;
	uint64_t p99_ns = wait_stats_percentile(waits, 99);
	char text[64];

	(void)id;
	(void)udata;
	pthread_mutex_lock(&ts.lock);
	if (ts.counters) {
		now_ns = guest_now_ns();
		insns = tk_executed(&ts.tk, ts.counters);
	}
	snprintf(text, sizeof(text), "QEMU exits at guest time %" PRIu64 " ns", now_ns);
	/* The participant reads GOODBYE (protocol 2) or EOF (protocol 1): QEMU is gone. */
	peer_close(peer_quit_seen() ? TS_GOODBYE_QUIT : TS_GOODBYE_POWEROFF, text);
	if (ts.trace)
		fclose(ts.trace);
	ts.trace = NULL;
	say("exit: %" PRIu64 " syncs, guest time %" PRIu64 " ns, %" PRIu64 " instructions, "
	    "max late %" PRIu64 " ns, waited for participant mean %" PRIu64 " ns p99 %" PRIu64
	    " ns max %" PRIu64 " ns total %" PRIu64 " ns, %" PRIu64 " halt instructions, %" PRIu64
	    " ns idle, clock origin %" PRIu64 " ns",
	    ts.tk.syncs, now_ns, insns, ts.tk.max_late_ns, mean_ns, p99_ns, waits->max_ns,
	    waits->total_ns, ts.halts_seen, ts.tk.idle_ns, ts.clock_origin_ns);
	if (ts.stats) {
		fprintf(ts.stats,
			"{\"syncs\": %" PRIu64 ", \"guest_ns\": %" PRIu64 ", \"instructions\": %" PRIu64
			", \"max_late_ns\": %" PRIu64 ", \"halted_ns\": %" PRIu64
			", \"wait_mean_ns\": %" PRIu64 ", \"wait_p99_ns\": %" PRIu64
			", \"wait_max_ns\": %" PRIu64 ", \"halt_instructions\": %" PRIu64
			", \"idle_ns\": %" PRIu64 ", \"clock_origin_ns\": %" PRIu64 "}\n",
			ts.tk.syncs, now_ns, insns, ts.tk.max_late_ns, waits->total_ns, mean_ns,
			p99_ns, waits->max_ns, ts.halts_seen, ts.tk.idle_ns, ts.clock_origin_ns);
		fclose(ts.stats);
		ts.stats = NULL;
	}
	pthread_mutex_unlock(&ts.lock);
}

/*
 * What QEMU's own command line says about time: without -icount there is no guest time
 * to synchronize, shift=auto ties it to the host; sleep=on and -rtc clock=host let
 * host time leak in. Returns the shift, or -1 to refuse to start.
 */
static int check_qemu_cmdline(const struct ts_options *opts)
{
	struct qemu_cmdline cmd;
	char args[65536], err[256];
	FILE *f = fopen("/proc/self/cmdline", "r");
	size_t len = f ? fread(args, 1, sizeof(args) - 1, f) : 0;

	if (f)
		fclose(f);
	args[len] = '\0';
	if (qemu_cmdline_parse(args, len + 1, &cmd, err, sizeof(err)) < 0) {
		say("%s", err);
		return -1;
	}
	if (!cmd.icount && opts->require_icount) {
		say("QEMU runs without -icount: guest time would follow the host and nothing "
		    "could be synchronized; add -icount shift=0,sleep=off (or require_icount=off "
		    "to run anyway)");
		return -1;
	}
	if (!cmd.icount)
		say("warning: QEMU runs without -icount: guest time is not instruction time and "
		    "syncs follow instructions only; add -icount shift=0,sleep=off");
	if (cmd.shift_auto) {
		say("-icount shift=auto ties guest time to the host's speed; use a fixed shift, "
		    "e.g. -icount shift=0,sleep=off");
		return -1;
	}
	if (cmd.icount && cmd.sleep)
		say("warning: -icount sleep=on (QEMU's default): while the guest idles, guest time "
		    "passes in real time, so runs are not reproducible; add sleep=off to -icount");
	if (cmd.rtc_host)
		say("warning: -rtc clock=host: the guest's RTC follows the host's clock, not guest "
		    "time; use -rtc clock=vm");
	return (int)cmd.shift;
}

static int check_pipe(const char *key, const char *path)
{
	int ret = ts_fifo_ensure(path);

	if (ret < 0)
		say("%s=%s: %s", key, path, ts_strerror(ret));
	return ret;
}

static int prepare_peer(const struct ts_options *opts)
{
	static char where[8300];
	struct peer_config cfg = {
		.session = {
			.link = { .host_to_guest = opts->host_to_guest,
				  .guest_to_host = opts->guest_to_host, .path = opts->path },
			.protocol = (int)opts->protocol,
			.quantum_ns = opts->quantum_ns,
		},
		.connect_timeout_ns = opts->connect_timeout_s * 1000000000u,
		.run_free_on_loss = strcmp(opts->participant_lost, "run") == 0,
		.where = where,
	};

	ts_transport_parse(opts->transport, &cfg.session.link.transport);
	/* FIFOs checked one by one first, for a message naming the one that is wrong. */
	if (cfg.session.link.transport == TS_TRANSPORT_FIFO &&
	    (check_pipe("HostToGuestPipe", opts->host_to_guest) < 0 ||
	     check_pipe("GuestToHostPipe", opts->guest_to_host) < 0))
		return -1;
	if (cfg.session.link.transport == TS_TRANSPORT_FIFO)
		snprintf(where, sizeof(where), "HostToGuestPipe=%s and GuestToHostPipe=%s",
			 opts->host_to_guest, opts->guest_to_host);
	else
		snprintf(where, sizeof(where), "transport=%s path=%s", opts->transport,
			 opts->path);
	return peer_prepare(&cfg);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	struct ts_options opts;
	struct sigaction sa;
	pthread_mutexattr_t attr;
	char err[512];
	int shift;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&ts.lock, &attr);

	if (ts_options_parse(&opts, argc, argv, err, sizeof(err)) < 0) {
		say("%s", err);
		return -1;
	}
	shift = check_qemu_cmdline(&opts);
	if (shift < 0)
		return -1;
	if (prepare_peer(&opts) < 0)
		return -1;
	if (opts.stats) {
		ts.stats = fopen(opts.stats, "w");
		if (!ts.stats) {
			say("stats=%s: %s", opts.stats, strerror(errno));
			return -1;
		}
	}
	if (opts.trace) {
		ts.trace = fopen(opts.trace, "w");
		if (!ts.trace) {
			say("trace=%s: %s", opts.trace, strerror(errno));
			return -1;
		}
		fprintf(ts.trace, "# sync boundary_ns guest_ns guest_clock_ns [idle]; guest_clock_ns "
			"is the guest's clock minus its value at the first instruction\n");
	}
	if (tk_init(&ts.tk, opts.quantum_ns, (unsigned)shift) < 0) {
		say("cannot set up the plugin");
		return -1;
	}
	ts.exact = opts.exact;
	ts.protocol = (int)opts.protocol;
	ts.halt = target_halt_insn(info->target_name);
	ts.clock = target_clock_reg(info->target_name);
	ts.follow_clock = opts.follow_clock && ts.clock;
	if (ts.clock)
		ts.clock_resolution_ns = (1000000000u + ts.clock->hz - 1) / ts.clock->hz;
#if QEMU_PLUGIN_VERSION >= 2
	ts.clock_buf = g_byte_array_new();
#endif
	/* A participant that went away must give EPIPE, not kill QEMU. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	ts.shared = QEMU_PLUGIN_VERSION < 3 ||
		    (info->system_emulation && info->system.max_vcpus > 1);
	if (ts.shared) {
		ts.counters = malloc(sizeof(*ts.counters));
		ts.shared_counter = tk_add_vcpu(&ts.tk, 0);
		if (!ts.counters || !ts.shared_counter) {
			say("cannot set up the plugin");
			return -1;
		}
	}
#if QEMU_PLUGIN_VERSION >= 3
	ts.score = qemu_plugin_scoreboard_new(sizeof(struct vcpu_counter));
	ts.counter = qemu_plugin_scoreboard_u64_in_struct(ts.score, struct vcpu_counter, armed);
#endif
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
