/* SPDX-License-Identifier: MIT */
/*
 * The one place that knows which QEMU plugin API level the plugin is built for
 * (QEMU_PLUGIN_VERSION of the qemu-plugin.h built against; DESIGN.md lists them):
 * compat.c maps each level's calls, and the rest of the plugin never asks.
 *   level 1 (QEMU 7.2): plain C callbacks only, no registers, instruction bytes by pointer
 *   level 2 (QEMU 9.0): registers, scoreboards (neither built nor tested here)
 *   level 3+ (9.1, 10.0 has 4): conditional callbacks (not used: bench/README.md, an
 *     inline conditional check per block costs more than a C callback), instruction
 *     bytes by copy
 *   level 5 (10.2): nothing new the plugin uses (built, not run, here)
 *   level 6 (after 10.2): register reads return bool instead of a length
 *   level 7 (11.1): every callback gets a userdata, none gets the plugin's id: the vCPU
 *     init, translation and exit callbacks change shape, their registrations take a
 *     userdata. So the plugin defines those callbacks with the COMPAT_*_CB macros and
 *     registers them with compat_register_*; execution callbacks (vCPU index and
 *     userdata) have one shape at every level and are registered directly.
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qemu-plugin.h>

struct qemu_plugin_register;

/*
 * Defines a callback in this level's shape; the body sees the parameters named here
 * (the userdata of level 7 and the plugin id before it are not for the body).
 *   COMPAT_VCPU_INIT_CB(name): a vCPU's init, sees vcpu_index
 *   COMPAT_TB_TRANS_CB(name): a block's translation, sees tb
 *   COMPAT_ATEXIT_CB(name): QEMU's exit, sees udata (compat_register_atexit's)
 */
#if QEMU_PLUGIN_VERSION >= 7
#define COMPAT_VCPU_INIT_CB(name) void name(unsigned int vcpu_index, void *compat_udata)
#define COMPAT_TB_TRANS_CB(name) void name(struct qemu_plugin_tb *tb, void *compat_udata)
#define COMPAT_ATEXIT_CB(name) void name(void *udata)
typedef qemu_plugin_vcpu_udata_cb_t compat_vcpu_init_cb;
#else
#define COMPAT_VCPU_INIT_CB(name) void name(qemu_plugin_id_t compat_id, unsigned int vcpu_index)
#define COMPAT_TB_TRANS_CB(name) void name(qemu_plugin_id_t compat_id, struct qemu_plugin_tb *tb)
#define COMPAT_ATEXIT_CB(name) void name(qemu_plugin_id_t compat_id, void *udata)
typedef qemu_plugin_vcpu_simple_cb_t compat_vcpu_init_cb;
#endif

/* Registers cb for every vCPU's init, every block's translation, QEMU's exit. */
void compat_register_vcpu_init(qemu_plugin_id_t id, compat_vcpu_init_cb cb);
void compat_register_tb_trans(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void compat_register_atexit(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *udata);

/* True when this API level can read the guest's registers (level 2 on). */
extern const bool compat_reads_registers;

/* The register called name in the current vCPU's register set, or NULL. */
struct qemu_plugin_register *compat_find_register(const char *name);

/* Reads a little-endian register of up to 8 bytes into *value. False when it cannot. */
bool compat_read_register(struct qemu_plugin_register *reg, uint64_t *value);

/* Copies an instruction's first len bytes into buf. False when it has fewer. */
bool compat_insn_bytes(const struct qemu_plugin_insn *insn, uint8_t *buf, size_t len);

#endif
