/* SPDX-License-Identifier: MIT */
/*
 * The participant of the seed document, translated to C as literally as possible: the
 * same mkfifo() and open() calls in the same order (including the seed's O_CREAT passed
 * as open's mode argument), one read of up to two bytes, a 1 ms sleep, one 'c' written.
 * The seed loops in SIL Kit's simulation task; here it loops until read() returns 0
 * (QEMU gone). Optional argument: the number of steps to answer (default: no limit).
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char pipeHostToGuest[] = "/tmp/HostToGuestPipe";
	char pipeGuestToHost[] = "/tmp/GuestToHostPipe";
	char contString[] = "c";
	long steps = argc > 1 ? atol(argv[1]) : -1;
	long done = 0;

	mkfifo(pipeHostToGuest, 0666);
	mkfifo(pipeGuestToHost, 0666);

	int fdHostToGuest = open(pipeHostToGuest, O_WRONLY, O_CREAT);
	int fdGuestToHost = open(pipeGuestToHost, O_RDONLY, O_CREAT);

	ssize_t bytes;

	while (steps < 0 || done < steps) {
		char arr[2];
		bytes = read(fdGuestToHost, arr, sizeof(arr));
		if (bytes <= 0)
			break;

		const struct timespec one_ms = { .tv_nsec = 1000000 };
		nanosleep(&one_ms, NULL);

		bytes = write(fdHostToGuest, &contString, strlen(contString));
		if (bytes != 1)
			break;
		done++;
	}
	printf("seed participant: %ld steps\n", done);
	return 0;
}
