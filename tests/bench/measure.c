/* measure.c - runs a command and prints its wall time and peak RSS.
 *
 *   measure [--runs N] [--stdout FILE] -- CMD [ARGS...]
 *
 * Prints "wall_s=<median of N runs> rss_kib=<largest peak RSS> exit=<status>".
 * Peak RSS comes from wait4()'s rusage (the child and what it waited for), so the
 * benchmark needs no GNU time. stdout of the command goes to FILE (default /dev/null),
 * stderr to /dev/null (goaccess and lnav draw progress there). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = 1, i = 1;
	const char *out = "/dev/null";
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--stdout") && i + 1 < argc)
			out = argv[++i];
	}
	if (i + 1 >= argc || runs < 1 || runs > 99) {
		fprintf(stderr, "usage: measure [--runs N] [--stdout FILE] -- CMD [ARGS...]\n");
		return 2;
	}
	char **cmd = argv + i + 1;
	double walls[99];
	long rss = 0;
	int status = 0;
	for (int r = 0; r < runs; r++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid_t pid = fork();
		if (pid == 0) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0) {
				dup2(null, 2);
				close(null);
			}
			execvp(cmd[0], cmd);
			perror(cmd[0]);
			_exit(127);
		}
		struct rusage ru;
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
			perror("measure");
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		walls[r] = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (ru.ru_maxrss > rss)
			rss = ru.ru_maxrss;
	}
	qsort(walls, (size_t)runs, sizeof walls[0], cmp);
	printf("wall_s=%.4f rss_kib=%ld exit=%d\n", walls[runs / 2], rss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return 0;
}
