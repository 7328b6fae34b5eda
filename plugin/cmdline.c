/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "log.h"

/* The option's name without its one or two dashes, or NULL if arg is no option. */
static const char *option_name(const char *arg)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return NULL;
	return arg + (arg[1] == '-' ? 2 : 1);
}

/* QEMU's options that take no value; every other option takes exactly one. */
static bool takes_value(const char *name)
{
	static const char *const flags[] = {
		"nographic", "S", "s", "no-reboot", "no-shutdown", "snapshot", "enable-kvm",
		"daemonize", "nodefaults", "no-user-config", "full-screen", "version", "h",
		"help", "preconfig", "only-migratable", "win2k-hack", "no-fd-bootchk",
		"no-hpet", "no-acpi", "enable-sync-profile", "alt-grab", "ctrl-grab",
		"singlestep", "no-kvm", "old-param", "semihosting", "perfmap", "jitdump",
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(name, flags[i]))
			return false;
	return true;
}

/* Copies the comma-separated item at *p (up to len-1 bytes) into item; advances *p. */
static void next_item(const char **p, char *item, size_t len)
{
	size_t n = strcspn(*p, ",");
	size_t copy = n < len - 1 ? n : len - 1;

	memcpy(item, *p, copy);
	item[copy] = '\0';
	*p += n + ((*p)[n] == ',');
}

static int parse_bool_value(const char *v, bool *out)
{
	if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "false")) {
		*out = false;
		return 0;
	}
	return -1;
}

static int parse_icount(const char *value, struct qemu_cmdline *out, char *err, size_t err_len)
{
	const char *p = value;
	char item[64];
	bool first = true;

	/* QEMU enables icount only when a shift is given ("-icount sleep=off" alone: off). */
	out->icount = false;
	out->shift_auto = false;
	out->shift = 0;
	out->sleep = true;
	while (*p) {
		next_item(&p, item, sizeof(item));
		char *eq = strchr(item, '=');
		const char *key = eq ? item : "shift"; /* "-icount 3" means shift=3 */
		const char *v = eq ? eq + 1 : item;

		if (eq)
			*eq = '\0';
		else if (!first)
			continue;
		first = false;
		if (!strcmp(key, "shift")) {
			char *end;

			out->icount = true;
			if (!strcmp(v, "auto")) {
				out->shift_auto = true;
				continue;
			}
			unsigned long shift = strtoul(v, &end, 10);
			if (*v == '\0' || *end != '\0' || shift > 10) {
				snprintf(err, err_len, "-icount shift=%s: not a shift QEMU accepts", v);
				return -1;
			}
			out->shift = (unsigned)shift;
		} else if (!strcmp(key, "sleep") && parse_bool_value(v, &out->sleep) < 0) {
			snprintf(err, err_len, "-icount sleep=%s: expected on or off", v);
			return -1;
		}
	}
	return 0;
}

static void parse_rtc(const char *value, struct qemu_cmdline *out)
{
	const char *p = value;
	char item[64];

	while (*p) {
		next_item(&p, item, sizeof(item));
		if (!strcmp(item, "clock=host"))
			out->rtc_host = true;
		else if (!strncmp(item, "clock=", 6))
			out->rtc_host = false;
	}
}

int qemu_cmdline_parse(const char *args, size_t len, struct qemu_cmdline *out, char *err,
		       size_t err_len)
{
	const char *end = args + len;

	memset(out, 0, sizeof(*out));
	out->sleep = true;
	/* The first argument is the program; then options, each maybe with its value. */
	for (const char *arg = args + strlen(args) + 1; arg < end; arg += strlen(arg) + 1) {
		const char *name = option_name(arg);

		if (!name || !takes_value(name))
			continue;
		const char *value = arg + strlen(arg) + 1;
		if (value >= end)
			break;
		if (!strcmp(name, "icount") && parse_icount(value, out, err, err_len) < 0)
			return -1;
		if (!strcmp(name, "rtc"))
			parse_rtc(value, out);
		arg = value;
	}
	return 0;
}

int qemu_cmdline_check(bool require_icount)
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
	if (!cmd.icount && require_icount) {
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
