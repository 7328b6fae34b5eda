/* SPDX-License-Identifier: MIT */
/*
 * Links: one API over the three transports (lib/fifo.c, lib/socket.c, lib/shm.c). This
 * file picks the transport, waits for the other end where a transport only tries once,
 * and makes every "the other end is gone" read TS_EOF.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

struct ts__link {
	enum ts_transport transport;
	enum ts_role role;
	struct ts_wait wait;
	char *host_to_guest;
	char *guest_to_host;
	char *path;
	int listen_fd; /* socket, guest end: until the participant has connected */
	int claim_fd;  /* FIFO, socket: this end's claim (lib/claim.c) */
	struct ts_link_config cfg; /* the paths as copied, for the claim */
	int read_fd;   /* FIFO: host_to_guest or guest_to_host; socket: the connection */
	int write_fd;  /* FIFO: the other one; socket: the connection again */
	struct ts__shm *shm;
	int connected;
};

static const char *const transport_names[] = {
	[TS_TRANSPORT_FIFO] = "fifo",
	[TS_TRANSPORT_SOCKET] = "socket",
	[TS_TRANSPORT_SHM] = "shm",
};

#define N_TRANSPORTS (sizeof(transport_names) / sizeof(transport_names[0]))

int ts_transport_parse(const char *name, enum ts_transport *out)
{
	for (size_t i = 0; i < N_TRANSPORTS; i++) {
		if (strcasecmp(name, transport_names[i]) == 0) {
			*out = (enum ts_transport)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ts_transport_name(enum ts_transport transport)
{
	return (size_t)transport < N_TRANSPORTS ? transport_names[transport] : NULL;
}

/* Copies the paths the transport needs: -EINVAL when one is missing. */
static int copy_paths(struct ts__link *link, const struct ts_link_config *cfg)
{
	if (cfg->transport == TS_TRANSPORT_FIFO) {
		if (!cfg->host_to_guest || !cfg->guest_to_host)
			return -EINVAL;
		link->host_to_guest = strdup(cfg->host_to_guest);
		link->guest_to_host = strdup(cfg->guest_to_host);
		return link->host_to_guest && link->guest_to_host ? 0 : -ENOMEM;
	}
	if (!cfg->path)
		return -EINVAL;
	link->path = strdup(cfg->path);
	return link->path ? 0 : -ENOMEM;
}

/* What may be done before the other end is there, without blocking. */
static int prepare_transport(struct ts__link *link)
{
	int guest = link->role == TS_ROLE_GUEST;
	int ret;

	switch (link->transport) {
	case TS_TRANSPORT_FIFO:
		ret = ts_fifo_ensure(link->host_to_guest);
		if (ret == 0)
			ret = ts_fifo_ensure(link->guest_to_host);
		return ret < 0 ? ret : ts__claim(&link->cfg, link->role, &link->claim_fd);
	case TS_TRANSPORT_SOCKET:
		ret = ts__claim(&link->cfg, link->role, &link->claim_fd);
		if (ret < 0 || !guest)
			return ret;
		return ts__socket_listen(link->path, &link->listen_fd);
	case TS_TRANSPORT_SHM:
		return guest ? ts__shm_create(&link->shm, link->path) : 0;
	}
	return -EINVAL;
}

int ts__link_prepare(struct ts__link **out, enum ts_role role, const struct ts_link_config *cfg)
{
	struct ts__link *link;
	int ret;

	*out = NULL;
	if ((unsigned int)cfg->transport > TS_TRANSPORT_SHM ||
	    (role != TS_ROLE_GUEST && role != TS_ROLE_PARTICIPANT))
		return -EINVAL;
	link = calloc(1, sizeof(*link));
	if (!link)
		return -ENOMEM;
	link->transport = cfg->transport;
	link->role = role;
	link->wait = cfg->wait;
	link->listen_fd = -1;
	link->claim_fd = -1;
	link->read_fd = -1;
	link->write_fd = -1;
	ret = copy_paths(link, cfg);
	link->cfg = (struct ts_link_config){ .transport = cfg->transport,
					     .host_to_guest = link->host_to_guest,
					     .guest_to_host = link->guest_to_host,
					     .path = link->path };
	if (ret == 0)
		ret = prepare_transport(link);
	if (ret < 0) {
		ts__link_close(link);
		return ret;
	}
	*out = link;
	return 0;
}

/* The participant is there: nobody else may connect, and the socket file goes. */
static void stop_listening(struct ts__link *link)
{
	if (link->listen_fd < 0)
		return;
	close(link->listen_fd);
	link->listen_fd = -1;
	unlink(link->path);
}

static int connect_fifo(struct ts__link *link)
{
	if (link->role == TS_ROLE_GUEST)
		return ts__fifo_open_guest_end(link->host_to_guest, link->guest_to_host,
					       &link->wait, &link->read_fd, &link->write_fd);
	return ts__fifo_open_participant_end(link->host_to_guest, link->guest_to_host,
					     &link->wait, &link->read_fd, &link->write_fd);
}

static int try_connect_socket(struct ts__link *link)
{
	int fd, ret;

	if (link->role == TS_ROLE_GUEST)
		ret = ts__socket_accept(link->listen_fd, &fd);
	else
		ret = ts__socket_connect(link->path, &fd);
	if (ret < 0)
		return ret;
	link->read_fd = fd;
	link->write_fd = fd;
	stop_listening(link);
	return 0;
}

static int try_connect_shm(struct ts__link *link)
{
	if (link->role == TS_ROLE_GUEST)
		return ts__shm_accept(link->shm);
	return ts__shm_join(&link->shm, link->path);
}

/* One try at reaching the other end over a socket or shared memory: -EAGAIN, not yet. */
static int try_connect(void *arg, int timeout_ms)
{
	struct ts__link *link = arg;

	if (link->transport == TS_TRANSPORT_SOCKET)
		return try_connect_socket(link);
	return try_connect_shm(link);
}

int ts__link_connect(struct ts__link *link)
{
	int ret;

	if (link->connected)
		return -EISCONN;
	if (link->transport == TS_TRANSPORT_FIFO)
		ret = connect_fifo(link);
	else
		ret = ts__wait_until(try_connect, link, 0, TS__NAP_NONE, &link->wait);
	if (ret == 0)
		link->connected = 1;
	return ret;
}

static int check_record(const struct ts__link *link, size_t len)
{
	if (!link->connected)
		return -ENOTCONN;
	return len == 0 || len > TS__LINK_RECORD_MAX ? -EINVAL : 0;
}

/* A pipe or socket says EPIPE or ECONNRESET where shared memory says TS_EOF. */
static int gone_is_eof(int ret)
{
	return ret == -EPIPE || ret == -ECONNRESET ? TS_EOF : ret;
}

void ts__link_set_spin(struct ts__link *link, uint64_t spin_ns)
{
	link->wait.spin_ns = spin_ns;
}

int ts__link_send(struct ts__link *link, const void *rec, size_t len)
{
	int ret = check_record(link, len);

	if (ret < 0)
		return ret;
	switch (link->transport) {
	case TS_TRANSPORT_FIFO:
		return gone_is_eof(ts__write_full(link->write_fd, rec, len, &link->wait));
	case TS_TRANSPORT_SOCKET:
		return gone_is_eof(ts__socket_send(link->write_fd, rec, len, &link->wait));
	case TS_TRANSPORT_SHM:
		return ts__shm_send(link->shm, rec, len, &link->wait);
	}
	return -EINVAL;
}

int ts__link_recv(struct ts__link *link, void *rec, size_t len)
{
	int ret = check_record(link, len);

	if (ret < 0)
		return ret;
	if (link->transport == TS_TRANSPORT_SHM)
		return ts__shm_recv(link->shm, rec, len, &link->wait);
	return gone_is_eof(ts__read_full(link->read_fd, rec, len, &link->wait));
}

int ts__link_try_recv(struct ts__link *link, void *rec, size_t len)
{
	int ret = check_record(link, len);
	ssize_t n;

	if (ret < 0)
		return ret;
	if (link->transport == TS_TRANSPORT_SHM)
		return -EAGAIN;
	n = read(link->read_fd, rec, len);
	if (n == (ssize_t)len)
		return 0;
	if (n == 0)
		return TS_EOF;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : gone_is_eof(-errno);
	/* Part of a record and nothing more now: finish it as a receive would. */
	return gone_is_eof(ts__read_full(link->read_fd, (char *)rec + n, len - (size_t)n,
					 &link->wait));
}

void ts__link_close(struct ts__link *link)
{
	if (!link)
		return;
	ts__shm_close(link->shm);
	stop_listening(link);
	if (link->read_fd >= 0)
		close(link->read_fd);
	if (link->write_fd >= 0 && link->write_fd != link->read_fd)
		close(link->write_fd);
	if (link->claim_fd >= 0)
		close(link->claim_fd);
	free(link->host_to_guest);
	free(link->guest_to_host);
	free(link->path);
	free(link);
}
