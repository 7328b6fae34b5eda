/* SPDX-License-Identifier: MIT */
/*
 * Is QEMU trying to quit (or stop) while the vCPU thread waits in the plugin? The plugin
 * API has no way to ask, so: its quit signals are watched, and QEMU's main thread is seen
 * waiting for the vCPUs (a futex, read from /proc/self/task/PID/syscall).
 */
#ifndef QUIT_H
#define QUIT_H

#include <stdbool.h>

/* Starts watching SIGTERM, SIGINT, SIGHUP (chaining QEMU's own handlers): once the guest runs. */
void quit_watch_start(void);

/* Asked once per wait slice: true when QEMU wants the vCPU back. */
bool quit_requested(void);

/* True once QEMU was seen quitting (a signal, or quit_requested() said so). */
bool quit_seen(void);

#endif
