/* SPDX-License-Identifier: MIT */
/*
 * The one place that knows which QEMU plugin API level the plugin is built for
 * (QEMU_PLUGIN_VERSION of the qemu-plugin.h built against; DESIGN.md lists them):
 * compat.c maps each level's calls, and the rest of the plugin never asks.
 *   level 1 (QEMU 7.2): plain C callbacks only, no registers, instruction bytes by pointer
 *   level 2 (QEMU 9.0): registers, scoreboards (neither built nor tested here)
 *   level 3+ (9.1, 10.0 has 4): conditional callbacks: counting in a scoreboard
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qemu-plugin.h>

#include "counting.h"

struct qemu_plugin_register;

/* True when this API level can read the guest's registers (level 2 on). */
extern const bool compat_reads_registers;

/* The register called name in the current vCPU's register set, or NULL. */
struct qemu_plugin_register *compat_find_register(const char *name);

/* Reads a little-endian register of up to 8 bytes into *value. False when it cannot. */
bool compat_read_register(struct qemu_plugin_register *reg, uint64_t *value);

/* Copies an instruction's first len bytes into buf. False when it has fewer. */
bool compat_insn_bytes(const struct qemu_plugin_insn *insn, uint8_t *buf, size_t len);

/*
 * How to count instructions: a per-vCPU scoreboard with inline adds and conditional
 * checks where the API has them and there is one vCPU; otherwise one counter shared by
 * all vCPUs, counted by a C callback (see counting.h).
 */
const struct counting *compat_counting(bool several_vcpus);

#endif
