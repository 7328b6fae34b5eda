/* SPDX-License-Identifier: MIT */
/*
 * libTimeSyncPlugin.so: halts the guest at every quantum of guest time and waits for
 * the participant. This file is the QEMU glue only: it registers callbacks, reads the
 * counters (through the counting strategy, counting.h) and the guest's clock register
 * (compat.h), and calls the sync core (sync.c), which decides and delivers the syncs
 * through the participant's side (peer.c, on libtimesync's sessions).
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
#include "compat.h"
#include "counting.h"
#include "log.h"
#include "options.h"
#include "peer.h"
#include "quit.h"
#include "sync.h"
#include "target.h"
#include "timesync.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct {
	pthread_mutex_t lock; /* recursive: QEMU's exit handlers may run in a callback */
	struct sync_core core;
	const struct counting *counting;
	uint64_t *counters; /* scratch copy of every counter (core.tk.n_vcpus of them) */
	bool exact;
	FILE *trace;
	FILE *stats;        /* stats=FILE: the exit statistics as JSON */
	const struct halt_insn *halt;
	const struct clock_reg *clock;          /* the guest's clock register, if any */
	struct qemu_plugin_register *clock_reg; /* found at the first vCPU's init */
	/* Following the guest's clock reads (x86_64, aarch64): see target.h. */
	const char *target_name;
	bool clock_reads;
	uint32_t read_lens; /* bit n: an instruction of n bytes may be one we look for */
	uint64_t clock_read_hz;
	struct qemu_plugin_register *gpr[31];  /* target_clock_read_register()'s, by index */
	uintptr_t pending_read;                /* a read's udata, until the next block start */
	bool interrupted; /* the last check gave the vCPU back to QEMU (stop, quit) */
} ts;

/* A clock read's userdata: its kind and destination register (aarch64 Xt); never 0. */
#define CLOCK_READ_UDATA(kind, xt) ((uintptr_t)(xt) << 2 | (uintptr_t)(kind) << 1 | 1)
#define CLOCK_READ_KIND(u) ((enum clock_read_kind)((u) >> 1 & 1))
#define CLOCK_READ_XT(u) ((unsigned)((u) >> 2))

/* The guest's own clock in ns, read from its clock register; SYNC_NO_CLOCK if none. */
static uint64_t guest_clock_ns(void)
{
	uint64_t ticks;

	if (!ts.clock_reg || !compat_read_register(ts.clock_reg, &ticks))
		return SYNC_NO_CLOCK;
	return target_ticks_ns(ts.clock->hz, ticks);
}

/* What the guest's clock read (pending_read) left in its registers, in ns. */
static uint64_t clock_read_ns(uintptr_t read)
{
	uint64_t low, high, ticks;

	if (CLOCK_READ_KIND(read) == CLOCK_READ_EDX_EAX) {
		if (!ts.gpr[0] || !ts.gpr[1] || !compat_read_register(ts.gpr[0], &low) ||
		    !compat_read_register(ts.gpr[1], &high))
			return SYNC_NO_CLOCK;
		ticks = (high & 0xffffffffu) << 32 | (low & 0xffffffffu);
	} else if (!ts.gpr[CLOCK_READ_XT(read)] ||
		   !compat_read_register(ts.gpr[CLOCK_READ_XT(read)], &ticks)) {
		return SYNC_NO_CLOCK;
	}
	return target_ticks_ns(ts.clock_read_hz, ticks);
}

static unsigned n_counters(void)
{
	return ts.core.tk.n_vcpus;
}

/* The sync core asks QEMU to stop: the message is out already. */
static void stop_qemu(enum sync_answer answer)
{
	if (answer == SYNC_STOP_OK || answer == SYNC_STOP_FAIL)
		exit(answer == SYNC_STOP_OK ? EXIT_SUCCESS : EXIT_FAILURE);
}

void counting_fired(unsigned vcpu_index, void *udata)
{
	uint64_t block_insns = counting_block_insns(udata);
	uint64_t clock_ns = SYNC_NO_CLOCK, clock_ahead = 0;
	enum sync_answer answer;
	bool for_reading;

	pthread_mutex_lock(&ts.lock);
	/*
	 * The vCPU was given back to QEMU at this block's start (exact mode checks every
	 * instruction): the block runs to its end before QEMU stops it, then its next
	 * block's check waits for the participant again.
	 */
	if (ts.interrupted && !block_insns) {
		pthread_mutex_unlock(&ts.lock);
		return;
	}
	quit_watch_start();
	ts.counting->read(ts.counters, n_counters());
	/* Only a block's start may read registers ("Bad icount read" mid-block). */
	if (block_insns && ts.pending_read)
		clock_ns = clock_read_ns(ts.pending_read);
	else if (block_insns) {
		clock_ns = guest_clock_ns();
		clock_ahead = block_insns;
	}
	for_reading = ts.pending_read != 0;
	ts.pending_read = 0;
	answer = sync_check_ahead(&ts.core, ts.counters, ts.counting->counter_of(vcpu_index),
				  clock_ns, clock_ahead, counting_ahead(udata));
	stop_qemu(answer);
	ts.interrupted = answer == SYNC_INTERRUPTED;
	/*
	 * After a check of the counters' own (a boundary, about one per quantum), the guest's
	 * next clock read corrects the time since; a check made for a reading wants none, or
	 * every read (Linux: millions per boot) would make one.
	 */
	if (ts.clock_reads && !for_reading)
		ts.counting->want_clock_read(vcpu_index);
	/*
	 * QEMU wants the vCPU back (quit, stop): the counters come back as they were, or as
	 * re-armed by the boundaries synced before, still armed for the halt in hand.
	 */
	ts.counting->write(ts.counters, n_counters());
	pthread_mutex_unlock(&ts.lock);
}

/* The guest reads its clock, and one was wanted: check at the next block's start. */
void counting_clock_read(unsigned vcpu_index, void *udata)
{
	pthread_mutex_lock(&ts.lock);
	ts.pending_read = (uintptr_t)udata;
	ts.counting->read(ts.counters, n_counters());
	sync_fire_at_next_check(&ts.core, ts.counting->counter_of(vcpu_index), ts.counters);
	ts.counting->write(ts.counters, n_counters());
	pthread_mutex_unlock(&ts.lock);
}

static void vcpu_halt(unsigned int vcpu_index, void *udata)
{
	(void)udata;
	pthread_mutex_lock(&ts.lock);
	if (ts.clock_reads)
		ts.counting->want_clock_read(vcpu_index);
	ts.counting->read(ts.counters, n_counters());
	sync_halt_insn(&ts.core, ts.counting->counter_of(vcpu_index), ts.counters,
		       ts.clock_reg != NULL || ts.clock_reads);
	ts.counting->write(ts.counters, n_counters());
	pthread_mutex_unlock(&ts.lock);
}

/* The guest's clock read an instruction of these bytes is, as a callback's userdata; 0 if none. */
static uintptr_t insn_clock_read(const uint8_t *bytes, size_t len)
{
	const struct clock_read *read = target_clock_read(ts.target_name, bytes, len);

	if (!read || (read->kind == CLOCK_READ_XT && target_clock_read_xt(bytes) == 31))
		return 0;
	return CLOCK_READ_UDATA(read->kind, read->kind == CLOCK_READ_XT ? target_clock_read_xt(bytes) : 0);
}

/* What an instruction is, from its bytes. */
struct insn_kind {
	uintptr_t clock_read; /* insn_clock_read(), 0 if none */
	bool halt;
	bool unseen; /* exact mode: target_insn_unseen() */
};

static struct insn_kind insn_kind(const struct qemu_plugin_insn *insn)
{
	size_t len = qemu_plugin_insn_size(insn);
	uint8_t bytes[16];

	/* By its length alone most are none we look for (riscv's 2-byte instructions). */
	if (len > sizeof(bytes) || !(ts.read_lens >> len & 1) ||
	    !compat_insn_bytes(insn, bytes, len))
		return (struct insn_kind){ 0 };
	return (struct insn_kind){
		.clock_read = ts.clock_reads ? insn_clock_read(bytes, len) : 0,
		.halt = target_is_halt(ts.halt, bytes, len),
		.unseen = ts.exact && target_insn_unseen(ts.target_name, bytes, len),
	};
}

static COMPAT_TB_TRANS_CB(vcpu_tb_trans)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct insn_kind kinds[COUNTING_MAX_KNOWN];
	bool unseen[COUNTING_MAX_KNOWN];

	for (size_t i = 0; i < n && i < COUNTING_MAX_KNOWN; i++) {
		kinds[i] = insn_kind(qemu_plugin_tb_get_insn(tb, i));
		unseen[i] = kinds[i].unseen;
	}
	/* Counting first: a segment's check comes before a clock read's or halt's callback. */
	ts.counting->instrument(tb, ts.exact ? unseen : NULL,
				ts.clock_reg != NULL || ts.clock_reads);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		struct insn_kind kind = i < COUNTING_MAX_KNOWN ? kinds[i] : insn_kind(insn);

		if (kind.clock_read)
			ts.counting->instrument_clock_read(insn, (void *)kind.clock_read);
		if (kind.halt)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, vcpu_halt,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void find_clock_register(void)
{
	if (!compat_reads_registers) {
		if (ts.core.cfg.follow_clock)
			say("note: QEMU's plugin API %d cannot read the guest's clock ('%s' "
			    "register): guest time is instruction time, time the guest idles is "
			    "not seen", QEMU_PLUGIN_VERSION, ts.clock->name);
		ts.clock = NULL;
		return;
	}
	ts.clock_reg = compat_find_register(ts.clock->name);
	if (!ts.clock_reg)
		say("note: no '%s' register in this vCPU's register set: the guest's clock "
		    "cannot be read", ts.clock->name);
}

/* Registers the vCPU's counter (once for a shared one), armed for its first check. */
static void add_counter(unsigned vcpu_index)
{
	unsigned index = ts.counting->counter_of(vcpu_index);
	const struct timekeeper *tk = &ts.core.tk;

	if (index < tk->n_vcpus && tk->vcpu[index].active)
		return;
	uint64_t armed = sync_add_counter(&ts.core, index);
	uint64_t *grown = realloc(ts.counters, tk->vcpu_capacity * sizeof(*grown));
	if (!armed || !grown) {
		say("out of memory registering vCPU %u", vcpu_index);
		abort();
	}
	ts.counters = grown;
	ts.counting->read(ts.counters, index);
	ts.counters[index] = armed;
	ts.counting->write(ts.counters, index + 1);
}

/* The registers the guest's clock reads land in; without them the reads are not followed. */
static void find_clock_read_registers(void)
{
	char buf[8];
	const char *name;
	uint64_t cntfrq = 0;

	for (unsigned i = 0;
	     (name = target_clock_read_register(ts.target_name, i, buf, sizeof(buf))); i++) {
		ts.gpr[i] = compat_find_register(name);
		if (!ts.gpr[i]) {
			say("note: no '%s' register in this vCPU's register set: the guest's clock "
			    "reads cannot be followed, time the guest idles is not seen", name);
			ts.clock_reads = false;
			return;
		}
	}
	struct qemu_plugin_register *frq = compat_find_register("CNTFRQ_EL0");
	if (frq && compat_read_register(frq, &cntfrq) && cntfrq == 0)
		say("note: CNTFRQ_EL0 reads 0: taking 62.5 MHz for the guest's counter");
	ts.clock_read_hz = target_clock_read_hz(ts.target_name, cntfrq);
	ts.core.cfg.clock_resolution_ns = (1000000000u + ts.clock_read_hz - 1) / ts.clock_read_hz;
}

static COMPAT_VCPU_INIT_CB(vcpu_init)
{
	pthread_mutex_lock(&ts.lock);
	add_counter(vcpu_index);
	if (ts.clock && !ts.clock_reg)
		find_clock_register();
	if (ts.clock_reads && !ts.gpr[0])
		find_clock_read_registers();
	if (ts.clock_reads)
		ts.counting->want_clock_read(vcpu_index);
	pthread_mutex_unlock(&ts.lock);
}

static COMPAT_ATEXIT_CB(plugin_exit)
{
	struct sync_stats st;
	char text[512];

	(void)udata;
	pthread_mutex_lock(&ts.lock);
	if (ts.counters)
		ts.counting->read(ts.counters, n_counters());
	sync_stats(&ts.core, ts.counters, peer_waits(), &st);
	peer_stale_bytes(&st.extra_answer_halts);
	snprintf(text, sizeof(text), "QEMU exits at guest time %" PRIu64 " ns", st.guest_ns);
	/* The participant reads GOODBYE (protocol 2) or EOF (protocol 1): QEMU is gone. */
	peer_close(quit_seen() ? TS_GOODBYE_QUIT : TS_GOODBYE_POWEROFF, text);
	if (ts.trace)
		fclose(ts.trace);
	ts.trace = ts.core.cfg.trace = NULL;
	sync_stats_text(&st, text, sizeof(text));
	say("exit: %s", text);
	if (ts.clock_reads && ts.core.clock_readings == 0)
		say("note: the guest never read its clock (%s) at a time the plugin wanted a "
		    "reading: guest time was instruction time, and any time it idled was not seen",
		    target_clock_read_names(ts.target_name));
	if (ts.stats) {
		sync_stats_json(&st, ts.stats);
		fclose(ts.stats);
		ts.stats = NULL;
	}
	pthread_mutex_unlock(&ts.lock);
}

static int check_pipe(const char *key, const char *path)
{
	int ret = ts_fifo_ensure(path);

	if (ret < 0)
		say("%s=%s: %s", key, path, ts_strerror(ret));
	return ret;
}

/* sees_idle: the plugin follows the guest's clock, so it sees time the guest idles. */
static int prepare_peer(const struct ts_options *opts, bool sees_idle)
{
	static char where[8300];
	struct peer_config cfg = {
		.session = {
			.link = { .host_to_guest = opts->host_to_guest,
				  .guest_to_host = opts->guest_to_host, .path = opts->path },
			.protocol = (int)opts->protocol,
			.quantum_ns = opts->quantum_ns,
			.capabilities = sees_idle ? TS_CAP_IDLE_TIME | TS_CAP_LOOKAHEAD : 0,
		},
		.connect_timeout_ns = opts->connect_timeout_s * 1000000000u,
		.sync_timeout_ns = opts->sync_timeout_s * 1000000000u,
		.run_free_on_loss = opts->run_free_on_loss,
		.where = where,
		.quit_requested = quit_requested,
	};

	cfg.session.link.transport = opts->transport;
	/* FIFOs checked one by one first, for a message naming the one that is wrong. */
	if (cfg.session.link.transport == TS_TRANSPORT_FIFO &&
	    (check_pipe("HostToGuestPipe", opts->host_to_guest) < 0 ||
	     check_pipe("GuestToHostPipe", opts->guest_to_host) < 0))
		return -1;
	if (cfg.session.link.transport == TS_TRANSPORT_FIFO)
		snprintf(where, sizeof(where), "HostToGuestPipe=%s and GuestToHostPipe=%s",
			 opts->host_to_guest, opts->guest_to_host);
	else
		snprintf(where, sizeof(where), "transport=%s path=%s",
			 ts_transport_name(opts->transport), opts->path);
	return peer_prepare(&cfg);
}

/* Opens FILE= of an option for writing; NULL (and a message) when it cannot. */
static FILE *open_output(const char *key, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		say("%s=%s: %s", key, path, strerror(errno));
	return f;
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
	shift = qemu_cmdline_check(opts.require_icount);
	if (shift < 0)
		return -1;
	ts.exact = opts.exact;
	ts.target_name = info->target_name;
	ts.halt = target_halt_insn(info->target_name);
	ts.clock = target_clock_reg(info->target_name);
	ts.counting = &counting_shared;
	/*
	 * With several vCPUs a callback cannot tell which vCPU runs (counting.h), so the
	 * block check after a clock read may be another vCPU's, whose registers hold no read.
	 */
	bool several_vcpus = info->system_emulation && info->system.max_vcpus > 1;
	ts.clock_reads = opts.follow_clock && target_has_clock_reads(info->target_name) &&
			 compat_reads_registers && !several_vcpus;
	if (opts.follow_clock && target_has_clock_reads(info->target_name) && !ts.clock_reads)
		say("note: %s: the guest's clock reads are not followed %s, so time the guest "
		    "idles is not seen", info->target_name,
		    compat_reads_registers ? "with several vCPUs" : "by this QEMU's plugin API");
	ts.read_lens = ts.exact ? UINT32_MAX
				: (ts.halt ? 1u << ts.halt->len : 0) |
					  (ts.clock_reads ? target_clock_read_lens(ts.target_name) : 0);
	bool follow_clock = (opts.follow_clock && ts.clock) || ts.clock_reads;
	if (prepare_peer(&opts, follow_clock && compat_reads_registers) < 0)
		return -1;
	if (opts.stats && !(ts.stats = open_output("stats", opts.stats)))
		return -1;
	if (opts.trace && !(ts.trace = open_output("trace", opts.trace)))
		return -1;
	if (ts.trace)
		fprintf(ts.trace, "# sync boundary_ns guest_ns guest_clock_ns [idle]; guest_clock_ns "
			"is the guest's clock minus its value at the first instruction\n");
	struct sync_config cfg = {
		.quantum_ns = opts.quantum_ns,
		.shift = (unsigned)shift,
		.protocol = (int)opts.protocol,
		.follow_clock = follow_clock,
		.clock_resolution_ns = ts.clock ? (1000000000u + ts.clock->hz - 1) / ts.clock->hz : 0,
		.halt_mnemonic = ts.halt ? ts.halt->mnemonic : "a halt instruction",
		.trace = ts.trace,
		.peer = { .sync = peer_sync, .protocol_error = peer_protocol_error },
	};
	if (sync_init(&ts.core, &cfg) < 0 || ts.counting->init() < 0) {
		say("cannot set up the plugin");
		return -1;
	}
	/* A participant that went away must give EPIPE, not kill QEMU. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	compat_register_vcpu_init(id, vcpu_init);
	compat_register_tb_trans(id, vcpu_tb_trans);
	compat_register_atexit(id, plugin_exit, NULL);
	return 0;
}
