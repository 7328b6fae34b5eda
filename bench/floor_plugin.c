/* SPDX-License-Identifier: MIT */
/*
 * libFloorPlugin.so: the least a counting plugin can cost QEMU, for the benchmarks only
 * (bench/README.md: the floor). Every translated block gets an inline add of its length
 * to a per-vCPU scoreboard counter and nothing else: no sync, no instruction bytes read
 * at translation, no register access. With check=on each block also gets the conditional
 * callback libTimeSyncPlugin.so puts there (counter >= 2^63, never true here), so the
 * two steps of the floor show what counting and checking each cost. Other options (the
 * pipes, the quantum run.sh passes to every variant) are accepted and ignored. At exit it
 * prints the instructions counted to stderr.
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
static bool check;

static void never(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	(void)udata;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
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
	}
	counters = qemu_plugin_scoreboard_new(sizeof(uint64_t));
	counter = qemu_plugin_scoreboard_u64(counters);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
