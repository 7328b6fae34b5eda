/* SPDX-License-Identifier: MIT */
/*
 * libFloorPlugin.so: the least a counting plugin can cost QEMU, for the benchmarks only
 * (bench/README.md: the floor). Every translated block gets an inline add of its length
 * to a per-vCPU scoreboard counter and nothing else: no sync, no instruction bytes read
 * at translation, no register access. With empty=on blocks get nothing at all (what a
 * plugin that asks to see translations costs QEMU before it instruments anything); with
 * check=on each block also gets an inline conditional callback (counter >= 2^63, never
 * true here), what libTimeSyncPlugin.so once checked with: the steps show what being a
 * plugin, counting inline and checking inline each cost. Other options (the pipes, the
 * quantum run.sh passes to every variant) are accepted and ignored. At exit it prints the
 * instructions counted to stderr.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct qemu_plugin_scoreboard *counters;
static qemu_plugin_u64 counter;
static bool check, empty;

static void never(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	(void)udata;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	if (empty)
		return;
	if (check)
		qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, never, QEMU_PLUGIN_CB_NO_REGS,
							  QEMU_PLUGIN_COND_GE, counter,
							  UINT64_C(1) << 63, NULL);
	qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(tb, QEMU_PLUGIN_INLINE_ADD_U64, counter,
							  qemu_plugin_tb_n_insns(tb));
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	fprintf(stderr, "floor: %" PRIu64 " instructions counted\n", qemu_plugin_u64_sum(counter));
	qemu_plugin_scoreboard_free(counters);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "check=on") == 0)
			check = true;
		if (strcmp(argv[i], "empty=on") == 0)
			empty = true;
	}
	counters = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	counter = qemu_plugin_scoreboard_u64(counters);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
