/* SPDX-License-Identifier: MIT */
/* Texts and names of errors: TS_ERRNO_MAP (include/timesync.h) and errno. */
#define _GNU_SOURCE /* strerrorname_np */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "timesync.h"

const char *ts_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
#define TS_ERRNO_TEXT(name, value, text) \
	case name:                       \
		return text;
	TS_ERRNO_MAP(TS_ERRNO_TEXT)
#undef TS_ERRNO_TEXT
	default:
		return err < 0 ? strerror(-err) : "unknown error";
	}
}

const char *ts_err_name(int err, char *buf, size_t len)
{
	switch (err) {
#define TS_ERRNO_NAME(name, value, text) \
	case name:                       \
		return #name;
	TS_ERRNO_MAP(TS_ERRNO_NAME)
#undef TS_ERRNO_NAME
	default:
		break;
	}
#ifdef HAVE_STRERRORNAME_NP
	const char *name = err < 0 && err != INT_MIN ? strerrorname_np(-err) : NULL;

	if (name)
		return name;
#endif
	snprintf(buf, len, "E%lld", -(long long)err);
	return buf;
}
