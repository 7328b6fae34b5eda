/* SPDX-License-Identifier: MIT */
/* The socket transport: a Unix-domain stream socket; the guest end listens. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

static int fill_address(struct sockaddr_un *addr, const char *path)
{
	size_t len = strlen(path);

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, path, len + 1);
	return 0;
}

static int new_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

/* 0 when connected, -EAGAIN when nobody listens at addr (yet), another error otherwise. */
static int connect_once(int fd, const struct sockaddr_un *addr)
{
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0)
		return 0;
	if (errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN || errno == EINTR)
		return -EAGAIN;
	return -errno;
}

/*
 * Clears the way for bind(): nothing there, or a socket left by a guest that died, which
 * is removed. The caller holds the path's claim (lib/claim.c), so no live guest listens
 * there; nobody is probed by connecting, which a live guest would take for its participant.
 */
static int remove_stale_socket(const struct sockaddr_un *addr)
{
	struct stat st;

	if (lstat(addr->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	return unlink(addr->sun_path) == 0 || errno == ENOENT ? 0 : -errno;
}

int ts__socket_listen(const char *path, int *listen_fd)
{
	struct sockaddr_un addr;
	int fd, ret;

	ret = fill_address(&addr, path);
	if (ret < 0)
		return ret;
	ret = remove_stale_socket(&addr);
	if (ret < 0)
		return ret;
	fd = new_socket();
	if (fd < 0)
		return fd;
	if (bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
		ret = -errno;
		goto out;
	}
	/* Nobody can connect before listen(): owner-only from the first connection on. */
	if (chmod(path, 0600) != 0 || listen(fd, 1) != 0) {
		ret = -errno;
		unlink(path);
		goto out;
	}
	*listen_fd = fd;
	return 0;
out:
	close(fd);
	return ret;
}

int ts__socket_accept(int listen_fd, int *fd)
{
	int conn = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (conn >= 0) {
		*fd = conn;
		return 0;
	}
	if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
		return -EAGAIN;
	return -errno;
}

int ts__socket_connect(const char *path, int *fd)
{
	struct sockaddr_un addr;
	struct stat st;
	int sock, ret;

	ret = fill_address(&addr, path);
	if (ret < 0)
		return ret;
	sock = new_socket();
	if (sock < 0)
		return sock;
	ret = connect_once(sock, &addr);
	if (ret == 0) {
		*fd = sock;
		return 0;
	}
	close(sock);
	/* A regular file (say) refuses connections too: tell it from "nobody listens yet". */
	if (ret == -EAGAIN && lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	return ret;
}
