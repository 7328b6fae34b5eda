/* SPDX-License-Identifier: MIT */
/*
 * The smallest participant of protocol 2, a starting point to copy: connects to the
 * plugin, and at every halt of the guest does its own work for the time that passed
 * (here: nothing), then lets the guest run one more quantum. Each grant counts from the
 * previous one, so the boundaries stay at multiples of the quantum however late a halt is.
 *
 *   participant socket PATH | shm PATH | fifo HOST_TO_GUEST GUEST_TO_HOST
 *
 * Build against an installed libtimesync: cc participant.c $(pkg-config --cflags --libs timesync)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "timesync.h"
#include "timesync_proto.h"

static int usage(void)
{
	fprintf(stderr, "usage: participant socket PATH | shm PATH | fifo HOST_TO_GUEST GUEST_TO_HOST\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct ts_session_config cfg = {
		.protocol = 2,
		.link.wait = { .spin_ns = 50000, .slice_ms = 100 },
	};
	struct ts_session *session;
	struct ts_halt halt = { 0 };
	uint64_t syncs = 0;
	int ret;

	if (argc < 3 || ts_transport_parse(argv[1], &cfg.link.transport) < 0)
		return usage();
	if (cfg.link.transport == TS_TRANSPORT_FIFO) {
		if (argc != 4)
			return usage();
		cfg.link.host_to_guest = argv[2];
		cfg.link.guest_to_host = argv[3];
	} else {
		if (argc != 3)
			return usage();
		cfg.link.path = argv[2];
	}

	ret = ts_session_open(&session, TS_ROLE_PARTICIPANT, &cfg);
	if (ret < 0) {
		fprintf(stderr, "participant: %s: %s\n", argv[2], ts_strerror(ret));
		return 1;
	}
	ret = ts_session_connect(session);
	if (ret < 0) {
		fprintf(stderr, "participant: cannot connect: %s\n", ts_strerror(ret));
		ts_session_close(session, 0, NULL);
		return 1;
	}
	uint64_t quantum_ns = ts_session_guest_quantum_ns(session);

	while ((ret = ts_session_wait_halt(session, &halt)) == 0) {
		syncs++;
		/* The guest is halted at halt.guest_ns: simulate up to that time here. */
		ret = ts_session_run_for(session, quantum_ns);
		if (ret < 0)
			break;
	}

	const struct ts_goodbye *bye = ts_session_goodbye(session);
	printf("participant: %" PRIu64 " syncs, last halt at guest time %" PRIu64 " ns, %s%s\n",
	       syncs, halt.guest_ns, bye ? "QEMU said goodbye: " : "", bye ? bye->text : ts_strerror(ret));
	int status = bye && (bye->reason == TS_GOODBYE_POWEROFF || bye->reason == TS_GOODBYE_QUIT) ? 0 : 1;
	ts_session_close(session, 0, NULL);
	return status;
}
