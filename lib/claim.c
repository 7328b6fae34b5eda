/* SPDX-License-Identifier: MIT */
/*
 * Claims: one guest and one participant per link, else two QEMUs started with a copied
 * command line would share one participant's syncs without anybody noticing. A claim is
 * a listening Unix socket in the abstract namespace, named after the link's FIFO (device
 * and inode of HostToGuestPipe) or socket path (its directory's real path and its name),
 * and the role: the kernel frees it when its process dies (no stale files), a second bind
 * fails, and a connection to it tells who holds it (SO_PEERCRED). Nothing ever accepts
 * on it: connecting disturbs nobody.
 */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

/* FNV-1a: a socket's real path, shortened to fit an abstract socket's name. */
static uint64_t hash_text(const char *text)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *text; text++)
		h = (h ^ (uint8_t)*text) * UINT64_C(0x100000001b3);
	return h;
}

/* The claim's key for a socket path: its directory's real path, then its name. */
static int socket_key(const char *path, char *key, size_t len)
{
	char dir_buf[PATH_MAX], base_buf[PATH_MAX], real[PATH_MAX];

	if (strlen(path) >= sizeof(dir_buf))
		return -ENAMETOOLONG;
	strcpy(dir_buf, path);
	strcpy(base_buf, path);
	if (!realpath(dirname(dir_buf), real))
		return -errno;
	snprintf(key, len, "socket/%016llx:%016llx/", (unsigned long long)hash_text(real),
		 (unsigned long long)hash_text(basename(base_buf)));
	return 0;
}

static int claim_address(const struct ts_link_config *cfg, enum ts_role role,
			 struct sockaddr_un *addr, socklen_t *addr_len)
{
	char key[64];
	struct stat st;
	int n, ret;

	if (cfg->transport == TS_TRANSPORT_FIFO) {
		if (stat(cfg->host_to_guest, &st) != 0)
			return -errno;
		snprintf(key, sizeof(key), "fifo/%llx:%llx/", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
	} else if (cfg->transport == TS_TRANSPORT_SOCKET) {
		ret = socket_key(cfg->path, key, sizeof(key));
		if (ret < 0)
			return ret;
	} else {
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "qemu-timesync/%s%s", key,
		     role == TS_ROLE_GUEST ? "guest" : "participant");
	*addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	return 0;
}

int ts__claim(const struct ts_link_config *cfg, enum ts_role role, int *claim_fd)
{
	struct sockaddr_un addr;
	socklen_t addr_len;
	int ret = claim_address(cfg, role, &addr, &addr_len);
	int fd;

	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, addr_len) != 0 || listen(fd, 4) != 0) {
		ret = errno == EADDRINUSE ? TS_EINUSE : -errno;
		close(fd);
		return ret;
	}
	*claim_fd = fd;
	return 0;
}

int ts_link_holder(const struct ts_link_config *cfg, enum ts_role role, char *text, size_t len)
{
	struct sockaddr_un addr;
	socklen_t addr_len, cred_len = sizeof(struct ucred);
	struct ucred cred;
	char path[64], comm[32] = "";
	int ret = claim_address(cfg, role, &addr, &addr_len);
	int fd;
	FILE *f;

	if (len > 0)
		snprintf(text, len, "a process that cannot be named");
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0)
		ret = -errno;
	else
		ret = (int)cred.pid;
	close(fd);
	if (ret <= 0 || len == 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/comm", ret);
	f = fopen(path, "r");
	if (f && fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
	snprintf(text, len, comm[0] ? "process %d (%s)" : "process %d", ret, comm);
	return ret;
}
