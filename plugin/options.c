/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "timekeeper.h"

enum option_kind { OPT_HOST_TO_GUEST, OPT_GUEST_TO_HOST, OPT_MICROSECONDS, OPT_NANOSECONDS };

struct option_spec {
	const char *key;
	enum option_kind kind;
};

static const struct option_spec option_specs[] = {
	{ "HostToGuestPipe", OPT_HOST_TO_GUEST },
	{ "GuestToHostPipe", OPT_GUEST_TO_HOST },
	{ "TimeInMicroseconds", OPT_MICROSECONDS },
	{ "TimeInNanoseconds", OPT_NANOSECONDS },
};
#define N_OPTIONS (sizeof(option_specs) / sizeof(option_specs[0]))

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

static int parse_quantum(const struct option_spec *spec, const char *value, uint64_t *quantum_ns,
			 char *err, size_t err_len)
{
	uint64_t v;
	uint64_t unit_ns = spec->kind == OPT_MICROSECONDS ? 1000 : 1;

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

int ts_options_parse(struct ts_options *opts, int argc, char **argv, char *err, size_t err_len)
{
	bool seen[N_OPTIONS] = { false };

	memset(opts, 0, sizeof(*opts));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		const struct option_spec *spec = NULL;
		size_t k;

		if (!eq)
			return fail(err, err_len, "'%s': expected key=value", arg);
		for (k = 0; k < N_OPTIONS; k++) {
			if (strlen(option_specs[k].key) == (size_t)(eq - arg) &&
			    strncasecmp(arg, option_specs[k].key, (size_t)(eq - arg)) == 0) {
				spec = &option_specs[k];
				break;
			}
		}
		if (!spec)
			return fail(err, err_len, "unknown option '%.*s' (known: HostToGuestPipe, "
				    "GuestToHostPipe, TimeInMicroseconds, TimeInNanoseconds)",
				    (int)(eq - arg), arg);
		if (seen[k])
			return fail(err, err_len, "%s given twice", spec->key);
		seen[k] = true;

		const char *value = eq + 1;
		switch (spec->kind) {
		case OPT_HOST_TO_GUEST:
		case OPT_GUEST_TO_HOST:
			if (*value == '\0')
				return fail(err, err_len, "%s=: the path is empty", spec->key);
			if (spec->kind == OPT_HOST_TO_GUEST)
				opts->host_to_guest = value;
			else
				opts->guest_to_host = value;
			break;
		case OPT_MICROSECONDS:
		case OPT_NANOSECONDS:
			if (opts->quantum_ns)
				return fail(err, err_len, "give the quantum once: TimeInMicroseconds= "
					    "or TimeInNanoseconds=, not both");
			if (parse_quantum(spec, value, &opts->quantum_ns, err, err_len))
				return -1;
			break;
		}
	}
	if (!opts->host_to_guest)
		return fail(err, err_len, "HostToGuestPipe= is missing");
	if (!opts->guest_to_host)
		return fail(err, err_len, "GuestToHostPipe= is missing");
	if (!opts->quantum_ns)
		return fail(err, err_len, "TimeInMicroseconds= (or TimeInNanoseconds=) is missing");
	return 0;
}
