/* SPDX-License-Identifier: MIT */
/*
 * libMemProbePlugin.so: prints QEMU's peak and current resident memory (VmHWM and
 * VmRSS from /proc/self/status) to stderr when QEMU exits, for the memory benchmark.
 * It registers nothing but its exit callback, so it adds no work per block: loaded
 * alone it stands for "no plugin", next to another plugin it measures that one.
 */
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static void plugin_exit(qemu_plugin_id_t id, void *udata)
{
	char line[256];
	FILE *status = fopen("/proc/self/status", "r");

	(void)id;
	(void)udata;
	if (!status) {
		fprintf(stderr, "memprobe: cannot read /proc/self/status\n");
		return;
	}
	while (fgets(line, sizeof(line), status)) {
		if (strncmp(line, "VmHWM:", 6) == 0 || strncmp(line, "VmRSS:", 6) == 0)
			fprintf(stderr, "memprobe: %s", line);
	}
	fclose(status);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "memprobe: takes no options\n");
		return -1;
	}
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
