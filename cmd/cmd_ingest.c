/* cmd_ingest.c - retrylens ingest: add logs to a database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cli.h"

/* A run of files is one transaction and a stream's run commits as it goes (SPEC §4), so
 * the two cannot share a run: a crash after a stream's commit would read the files
 * again. EXIT_USAGE with a message when they are mixed. */
static int one_kind_of_input(const char *cmd, char **paths, size_t n)
{
	const char *file = NULL, *stream = NULL;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		bool is_stream = strcmp(paths[i], "-") == 0 || (stat(paths[i], &sb) == 0 && !S_ISREG(sb.st_mode));
		if (is_stream && !stream)
			stream = paths[i];
		else if (!is_stream && !file)
			file = paths[i];
	}
	if (file && stream)
		return cli_usage(cmd,
				 "%s is a stream and %s a file: ingest them in two runs (a stream's run commits as "
				 "it goes, a run of files once, so that a crash never reads a line twice)",
				 strcmp(stream, "-") == 0 ? "- (standard input)" : stream, file);
	return EXIT_OK;
}

int cmd_ingest(int argc, char **argv)
{
	cli_ingest_args a = {CLI_INGEST_DEFAULTS};
	const char *db = NULL;
	int64_t wait_us = RL_DEFAULT_WAIT_US;
	const cli_opt opts[] = {
		{"--db", CLI_STRING, &db, "FILE", "the database (default $RETRYLENS_DB, else retrylens.db)"},
		CLI_FORMAT_OPTS(a),
		{"--policy", CLI_STRING, &a.policy, "NAME|FILE",
		 "retry policy (default: default); a database keeps the one it was made with"},
		{"--max-line", CLI_COUNT, &a.max_line, "BYTES", "longer lines are rejected (default 65536)"},
		{"--flush-every", CLI_SECONDS, &a.flush_every_us, "SECONDS",
		 "commit at least this often while reading a stream (default 10)"},
		CLI_RETRY_OPTS(a),
		{"--shard", CLI_STRING, &a.shard, "I/N",
		 "only the clients of shard I of N (FNV-1a 64 of the client, mod N); merge the shards after"},
		CLI_JOBS_OPT(a),
		CLI_WAIT_OPT(wait_us),
		{"--quiet", CLI_FLAG, &a.quiet, NULL, "no notices, progress or summary on stderr (errors still show)"},
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"ingest",
		"--db DB [options] FILE...|-",
		"Adds access logs (plain, .gz, or - for stdin) to a database: per-minute aggregates,\n"
		"not raw lines. 'retrylens report --db DB' prints the report.",
		"examples:\n"
		"  retrylens ingest --db api.db /var/log/nginx/access.log\n"
		"  tail -F /var/log/nginx/access.log | retrylens ingest --db api.db -\n"
		"  retrylens ingest --db shard-1.db --shard 1/4 host*/access.log   # then retrylens merge\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos == 0) {
		rc = cli_usage(cmd.name, "no input: name log files, or - for standard input");
		goto done;
	}
	rl_policy pol;
	if ((rc = one_kind_of_input(cmd.name, pos, npos)) || (rc = cli_resolve_format(cmd.name, &a)) ||
	    (rc = cli_load_policy(a.policy, &pol)))
		goto done;
	rl_store *st;
	rl_err err;
	rl_err_clear(&err);
	rl_store_opts so = cli_writer_opts(wait_us, &a.quiet);
	if (rl_store_open(&st, cli_db_path(db), &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
	rl_ingest_stats stats = {0};
	bool finished;
	rc = cli_run_ingest(cmd.name, st, &pol, &a, pos, npos, &stats, &finished);
	/* after a fatal error the lines read are not what the database holds: no summary */
	if (finished && !a.quiet)
		fprintf(stderr,
			"retrylens: ingested %llu lines (%llu attempts, %llu rejected, %llu skipped) from %llu input%s "
			"into %s\n",
			(unsigned long long)stats.lines, (unsigned long long)stats.attempts,
			(unsigned long long)stats.rejected, (unsigned long long)stats.skipped,
			(unsigned long long)stats.sources, stats.sources == 1 ? "" : "s", rl_store_path(st));
	if (finished && !a.quiet && stats.active_keys)
		fprintf(stderr,
			"retrylens: %llu retry keys still open, saved for the next run (%llu changes written; %.1f MiB "
			"in memory, %.0f B per key)\n",
			(unsigned long long)stats.active_keys, (unsigned long long)stats.state_writes,
			stats.analysis_bytes / 1048576.0, (double)stats.analysis_bytes / (double)stats.active_keys);
	rl_store_close(st);
done:
	free(a.format_buf);
	free(pos);
	return rc;
}
