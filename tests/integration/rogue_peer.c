/* SPDX-License-Identifier: MIT */
/*
 * A misbehaving end for tests: connects over a transport in either role, then
 *   version:  sends a HELLO of protocol version 3 and prints what comes back
 *   garbage:  sends 64 bytes that are no record and prints what comes back
 *   silent:   connects and never answers (until killed)
 *   hold1:    protocol 1: reads the guest's bytes, never answers, prints what it gets
 *   hold2:    protocol 2: says HELLO, then reads records, never answers, prints them
 *   past:     protocol 2: says HELLO, answers the first HALT with a grant in the past
 *   junk:     protocol 2: says HELLO, answers the first HALT with 64 bytes of junk
 * Usage: rogue_peer guest|participant fifo|socket|shm PATH_OR_H2G [G2H] MODE
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "timesync.h"
#include "timesync_proto.h"

int main(int argc, char **argv)
{
	struct ts_link_config cfg = { .wait = { .spin_ns = 0, .slice_ms = 100 } };
	enum ts_role role = strcmp(argv[1], "guest") == 0 ? TS_ROLE_GUEST : TS_ROLE_PARTICIPANT;
	struct ts__link *link;
	uint8_t rec[TS_MSG_SIZE];
	struct ts_msg msg;
	int ret;

	if (argc < 5 || ts_transport_parse(argv[2], &cfg.transport) < 0) {
		fprintf(stderr, "usage: rogue_peer guest|participant fifo|socket|shm PATH [G2H] MODE\n");
		return 2;
	}
	if (cfg.transport == TS_TRANSPORT_FIFO) {
		cfg.host_to_guest = argv[3];
		cfg.guest_to_host = argv[4];
	} else {
		cfg.path = argv[3];
	}
	const char *mode = argv[argc - 1];
	if (ts__link_prepare(&link, role, &cfg) < 0 || ts__link_connect(link) < 0) {
		fprintf(stderr, "rogue_peer: cannot connect\n");
		return 1;
	}
	if (strcmp(mode, "silent") == 0) {
		pause();
		return 0;
	}
	if (strcmp(mode, "hold1") == 0) {
		while ((ret = ts__link_recv(link, rec, 1)) == 0) {
			printf("rogue_peer: got a byte, holding the guest\n");
			fflush(stdout);
		}
		printf("rogue_peer: then: %s\n", ts_strerror(ret));
		ts__link_close(link);
		return 0;
	}
	if (strcmp(mode, "past") == 0 || strcmp(mode, "junk") == 0) {
		msg = ts_msg_hello(role, 0, 0);
		ts_msg_encode(&msg, rec);
		ts__link_send(link, rec, sizeof(rec));
		while ((ret = ts__link_recv(link, rec, sizeof(rec))) == 0 &&
		       (ts_msg_decode(rec, &msg) < 0 || msg.type != TS_MSG_HALT))
			;
		if (ret == 0 && mode[0] == 'p') {
			msg = ts_msg_run_until(msg.halt.guest_ns / 2);
			ts_msg_encode(&msg, rec);
		} else {
			memset(rec, 0x5a, sizeof(rec));
		}
		ts__link_send(link, rec, sizeof(rec));
		while ((ret = ts__link_recv(link, rec, sizeof(rec))) == 0)
			if (ts_msg_decode(rec, &msg) == 0 && msg.type == TS_MSG_GOODBYE)
				printf("rogue_peer: got GOODBYE (%s: %s)\n",
				       ts_goodbye_reason_name(msg.goodbye.reason), msg.goodbye.text);
		ts__link_close(link);
		return 0;
	}
	if (strcmp(mode, "version") == 0 || strcmp(mode, "hold2") == 0) {
		msg = ts_msg_hello(role, 0, 1000);
		ts_msg_encode(&msg, rec);
		if (strcmp(mode, "version") == 0)
			rec[4] = 3; /* the version field, little-endian */
	} else {
		for (size_t i = 0; i < sizeof(rec); i++)
			rec[i] = (uint8_t)(0xa5 ^ i * 37);
	}
	ts__link_send(link, rec, sizeof(rec));
	/* Print every record that comes back until the other end leaves. */
	while ((ret = ts__link_recv(link, rec, sizeof(rec))) == 0) {
		if (ts_msg_decode(rec, &msg) < 0) {
			printf("rogue_peer: got an undecodable record\n");
			continue;
		}
		printf("rogue_peer: got %s", ts_msg_type_name(msg.type));
		if (msg.type == TS_MSG_GOODBYE)
			printf(" (%s: %s)", ts_goodbye_reason_name(msg.goodbye.reason),
			       msg.goodbye.text);
		printf("\n");
		fflush(stdout);
	}
	printf("rogue_peer: then: %s\n", ts_strerror(ret));
	ts__link_close(link);
	return 0;
}
