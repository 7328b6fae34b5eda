/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "timesync.h"
#include "timekeeper.h"

enum option_kind {
	OPT_PATH, OPT_MICROSECONDS, OPT_NANOSECONDS, OPT_BOOL, OPT_UINT, OPT_TRANSPORT, OPT_LOSS
};

struct option_spec {
	const char *key;
	enum option_kind kind;
	size_t offset;              /* of the member of struct ts_options it sets */
	uint64_t min, max;          /* OPT_UINT */
};

#define FIELD(member) offsetof(struct ts_options, member)
static const struct option_spec option_specs[] = {
	{ .key = "HostToGuestPipe", .kind = OPT_PATH, .offset = FIELD(host_to_guest) },
	{ .key = "GuestToHostPipe", .kind = OPT_PATH, .offset = FIELD(guest_to_host) },
	{ .key = "TimeInMicroseconds", .kind = OPT_MICROSECONDS, .offset = FIELD(quantum_ns) },
	{ .key = "TimeInNanoseconds", .kind = OPT_NANOSECONDS, .offset = FIELD(quantum_ns) },
	{ .key = "exact", .kind = OPT_BOOL, .offset = FIELD(exact) },
	{ .key = "require_icount", .kind = OPT_BOOL, .offset = FIELD(require_icount) },
	{ .key = "trace", .kind = OPT_PATH, .offset = FIELD(trace) },
	{ .key = "stats", .kind = OPT_PATH, .offset = FIELD(stats) },
	{ .key = "follow_clock", .kind = OPT_BOOL, .offset = FIELD(follow_clock) },
	{ .key = "protocol", .kind = OPT_UINT, .offset = FIELD(protocol), .min = 1, .max = 2 },
	{ .key = "transport", .kind = OPT_TRANSPORT, .offset = FIELD(transport) },
	{ .key = "path", .kind = OPT_PATH, .offset = FIELD(path) },
	{ .key = "participant_lost", .kind = OPT_LOSS, .offset = FIELD(run_free_on_loss) },
	{ .key = "connect_timeout", .kind = OPT_UINT, .offset = FIELD(connect_timeout_s),
	  .max = 1000000 },
	{ .key = "sync_timeout", .kind = OPT_UINT, .offset = FIELD(sync_timeout_s),
	  .max = 1000000 },
};
#define N_OPTIONS (sizeof(option_specs) / sizeof(option_specs[0]))

/* "HostToGuestPipe, GuestToHostPipe, ...": every key of the table, for messages. */
static const char *known_options(void)
{
	static char known[512];

	if (!known[0]) {
		size_t used = 0;

		for (size_t k = 0; k < N_OPTIONS && used < sizeof(known); k++)
			used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s",
						 k ? ", " : "", option_specs[k].key);
	}
	return known;
}

static int fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal digits only: no sign, no blanks, no suffix, no overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned digit = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "true", "yes", "1" };
	static const char *const no[] = { "off", "false", "no", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			*out = strcasecmp(s, yes[i]) == 0;
			return true;
		}
	}
	return false;
}

static int parse_quantum(const struct option_spec *spec, const char *value, uint64_t *quantum_ns,
			 char *err, size_t err_len)
{
	uint64_t v;
	uint64_t unit_ns = spec->kind == OPT_MICROSECONDS ? 1000 : 1;

	if (*quantum_ns)
		return fail(err, err_len, "give the quantum once: TimeInMicroseconds= or "
			    "TimeInNanoseconds=, not both");
	if (!parse_u64(value, &v))
		return fail(err, err_len, "%s=%s: not a whole number", spec->key, value);
	if (v == 0)
		return fail(err, err_len, "%s=0: the quantum must be at least 1", spec->key);
	if (v > TK_QUANTUM_NS_MAX / unit_ns)
		return fail(err, err_len, "%s=%s: too large (at most %llu)", spec->key, value,
			    (unsigned long long)(TK_QUANTUM_NS_MAX / unit_ns));
	*quantum_ns = v * unit_ns;
	return 0;
}

static const struct option_spec *find_spec(const char *key, size_t key_len)
{
	for (size_t k = 0; k < N_OPTIONS; k++) {
		if (strlen(option_specs[k].key) == key_len &&
		    strncasecmp(key, option_specs[k].key, key_len) == 0)
			return &option_specs[k];
	}
	return NULL;
}

/* "fifo, socket or shm": libtimesync's transports, for messages. */
static const char *transport_names(void)
{
	static char names[64];
	size_t used = 0;
	const char *name;

	for (int t = 0; (name = ts_transport_name((enum ts_transport)t)); t++) {
		bool last = !ts_transport_name((enum ts_transport)(t + 1));

		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 t == 0 ? "" : last ? " or " : ", ", name);
	}
	return names;
}

static int parse_one(struct ts_options *opts, const struct option_spec *spec, const char *value,
		     char *err, size_t err_len)
{
	void *member = (char *)opts + spec->offset;

	switch (spec->kind) {
	case OPT_PATH:
		if (*value == '\0')
			return fail(err, err_len, "%s=: the path is empty", spec->key);
		*(const char **)member = value;
		return 0;
	case OPT_MICROSECONDS:
	case OPT_NANOSECONDS:
		return parse_quantum(spec, value, member, err, err_len);
	case OPT_BOOL:
		if (!parse_bool(value, member))
			return fail(err, err_len, "%s=%s: expected on or off", spec->key, value);
		return 0;
	case OPT_UINT:
		if (!parse_u64(value, member) || *(uint64_t *)member < spec->min ||
		    *(uint64_t *)member > spec->max)
			return fail(err, err_len, "%s=%s: expected a whole number from %llu to %llu",
				    spec->key, value, (unsigned long long)spec->min,
				    (unsigned long long)spec->max);
		return 0;
	case OPT_TRANSPORT:
		if (ts_transport_parse(value, member) == 0)
			return 0;
		return fail(err, err_len, "%s=%s: expected %s", spec->key, value, transport_names());
	case OPT_LOSS:
		if (strcasecmp(value, "exit") == 0 || strcasecmp(value, "run") == 0) {
			*(bool *)member = strcasecmp(value, "run") == 0;
			return 0;
		}
		return fail(err, err_len, "%s=%s: expected exit or run", spec->key, value);
	}
	return fail(err, err_len, "%s: unhandled option", spec->key);
}

int ts_options_parse(struct ts_options *opts, int argc, char **argv, char *err, size_t err_len)
{
	bool seen[N_OPTIONS] = { false };

	memset(opts, 0, sizeof(*opts));
	opts->require_icount = true;
	opts->follow_clock = true;
	opts->protocol = 1;
	opts->transport = TS_TRANSPORT_FIFO;
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq)
			return fail(err, err_len, "'%s': expected key=value", argv[i]);
		const struct option_spec *spec = find_spec(argv[i], (size_t)(eq - argv[i]));
		if (!spec)
			return fail(err, err_len, "unknown option '%.*s' (known: %s)",
				    (int)(eq - argv[i]), argv[i], known_options());
		if (seen[spec - option_specs])
			return fail(err, err_len, "%s given twice", spec->key);
		seen[spec - option_specs] = true;
		if (parse_one(opts, spec, eq + 1, err, err_len) < 0)
			return -1;
	}
	bool fifo = opts->transport == TS_TRANSPORT_FIFO;
	if (fifo && !opts->host_to_guest)
		return fail(err, err_len, "HostToGuestPipe= is missing");
	if (fifo && !opts->guest_to_host)
		return fail(err, err_len, "GuestToHostPipe= is missing");
	if (!fifo && !opts->path)
		return fail(err, err_len, "path= is missing (transport=%s)",
			    ts_transport_name(opts->transport));
	if (fifo && opts->path)
		return fail(err, err_len, "path= is for transport=socket or shm; the FIFOs are "
			    "HostToGuestPipe= and GuestToHostPipe=");
	if (!opts->quantum_ns)
		return fail(err, err_len, "TimeInMicroseconds= (or TimeInNanoseconds=) is missing");
	return 0;
}
