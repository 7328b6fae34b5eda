/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "compat.h"
#include "log.h"

#if QEMU_PLUGIN_VERSION >= 7
void compat_register_vcpu_init(qemu_plugin_id_t id, compat_vcpu_init_cb cb)
{
	qemu_plugin_register_vcpu_init_cb(id, cb, NULL);
}

void compat_register_tb_trans(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb)
{
	qemu_plugin_register_vcpu_tb_trans_cb(id, cb, NULL);
}
#else
void compat_register_vcpu_init(qemu_plugin_id_t id, compat_vcpu_init_cb cb)
{
	qemu_plugin_register_vcpu_init_cb(id, cb);
}

void compat_register_tb_trans(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb)
{
	qemu_plugin_register_vcpu_tb_trans_cb(id, cb);
}
#endif

void compat_register_atexit(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *udata)
{
	qemu_plugin_register_atexit_cb(id, cb, udata);
}

#if QEMU_PLUGIN_VERSION >= 2
const bool compat_reads_registers = true;

struct qemu_plugin_register *compat_find_register(const char *name)
{
	GArray *regs = qemu_plugin_get_registers();
	struct qemu_plugin_register *found = NULL;
	static bool told;

	/* Another descriptor than this header's would misread every entry. */
	if (regs && g_array_get_element_size(regs) != sizeof(qemu_plugin_reg_descriptor)) {
		if (!told)
			say("QEMU's register descriptors have %u bytes, this plugin's API %d "
			    "header says %zu: registers are not read",
			    g_array_get_element_size(regs), QEMU_PLUGIN_VERSION,
			    sizeof(qemu_plugin_reg_descriptor));
		told = true;
		g_array_free(regs, TRUE);
		return NULL;
	}
	for (guint i = 0; regs && i < regs->len; i++) {
		qemu_plugin_reg_descriptor *reg = &g_array_index(regs, qemu_plugin_reg_descriptor, i);

		if (strcmp(reg->name, name) == 0)
			found = reg->handle;
	}
	if (regs)
		g_array_free(regs, TRUE);
	return found;
}

bool compat_read_register(struct qemu_plugin_register *reg, uint64_t *value)
{
	static GByteArray *buf;
	uint64_t v = 0;

	if (!buf)
		buf = g_byte_array_new();
	g_byte_array_set_size(buf, 0);
#if QEMU_PLUGIN_VERSION >= 6
	/* Level 6 on: true or false; the bytes read are the buffer's. */
	int len = qemu_plugin_read_register(reg, buf) ? (int)buf->len : -1;
#else
	int len = qemu_plugin_read_register(reg, buf);
#endif
	if (len <= 0 || len > 8)
		return false;
	for (int i = len; i-- > 0;)
		v = v << 8 | buf->data[i]; /* little-endian targets */
	*value = v;
	return true;
}
#else
const bool compat_reads_registers = false;

struct qemu_plugin_register *compat_find_register(const char *name)
{
	(void)name;
	return NULL;
}

bool compat_read_register(struct qemu_plugin_register *reg, uint64_t *value)
{
	(void)reg;
	(void)value;
	return false;
}
#endif

#if QEMU_PLUGIN_VERSION >= 3
bool compat_insn_bytes(const struct qemu_plugin_insn *insn, uint8_t *buf, size_t len)
{
	return qemu_plugin_insn_size(insn) >= len && qemu_plugin_insn_data(insn, buf, len) == len;
}
#else
bool compat_insn_bytes(const struct qemu_plugin_insn *insn, uint8_t *buf, size_t len)
{
	if (qemu_plugin_insn_size(insn) < len)
		return false;
	memcpy(buf, qemu_plugin_insn_data(insn), len);
	return true;
}
#endif
