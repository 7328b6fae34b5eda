/* SPDX-License-Identifier: MIT */
/*
 * peak_rss FILE COMMAND [ARG...]: runs COMMAND, waits for it, writes the peak resident
 * memory in kB of its largest descendant (getrusage RUSAGE_CHILDREN) to FILE and exits
 * with COMMAND's status (128 + N when signal N ended it). For the soak test: a finished
 * process's peak needs no sampling, so it does not depend on the machine's speed. Small
 * and in C because a forked child's memory before exec counts in its peak.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage usage;
	int status;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: peak_rss FILE COMMAND [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("peak_rss: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("peak_rss: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || getrusage(RUSAGE_CHILDREN, &usage) < 0) {
		perror("peak_rss: wait");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "%ld\n", usage.ru_maxrss) < 0 || fclose(out) != 0) {
		perror(argv[1]);
		return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
