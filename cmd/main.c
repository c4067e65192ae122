/* main.c - the command table. Each subcommand lives in cmd_<name>.c. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/version.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"analyze", cmd_analyze, "read logs and print the report (a one-shot run, nothing kept)"},
	{"ingest", cmd_ingest, "add logs to a database (--db)"},
	{"report", cmd_report, "print the report of a database"},
	{"merge", cmd_merge, "add shard or host databases into one"},
	{"split", cmd_split, "write each line of logs to its client's shard (the map step before merge)"},
	{"prune", cmd_prune, "drop what a database holds of traffic older than a time"},
	{"policies", cmd_policies, "list the built-in retry policies, or print one"},
	{"check-format", cmd_check_format, "show why lines of a log do not parse with a format"},
};

/* retrylens --version: its version, then the libraries it runs on as linked. */
static void version(void)
{
	rl_version_lib libs[RL_VERSION_NLIBS];
	rl_version_libs(libs);
	printf("retrylens %s\n", rl_version());
	for (size_t i = 0; i < RL_VERSION_NLIBS; i++)
		printf("  %-8s %s\n", libs[i].name, libs[i].version);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: retrylens COMMAND [options] [FILE...]\n\n"
		   "retrylens reads API access logs and tells how clients behave when requests fail:\n"
		   "retryable vs non-retryable errors, per status and endpoint.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'retrylens COMMAND --help' describes each; 'retrylens --version' prints the versions of\n"
		   "retrylens and of the libraries it runs on. Exit codes: 0 ok, 1 a --fail-on threshold\n"
		   "was crossed, 2 usage error, 3 input or database error.\n");
}

int main(int argc, char **argv)
{
	/* past RLIMIT_FSIZE (ulimit -f) a write fails with EFBIG and the database says so
	 * (exit 3, the last complete transaction kept) instead of the process dying */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		version();
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "retrylens: unknown command '%s' (see 'retrylens --help')\n", argv[1]);
	return EXIT_USAGE;
}
