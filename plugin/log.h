/* SPDX-License-Identifier: MIT */
/* The plugin's messages: one line on stderr each (qemu_plugin_outs shows only with -d plugin). */
#ifndef LOG_H
#define LOG_H

/* Prints "timesync: <message>" on stderr. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
