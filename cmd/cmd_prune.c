/* cmd_prune.c - retrylens prune: drop what a database holds of old traffic (SPEC §4). */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "lib/base/timestamp.h"

int cmd_prune(int argc, char **argv)
{
	const char *db = NULL, *older = NULL;
	int64_t wait_us = RL_DEFAULT_WAIT_US;
	bool quiet = false;
	const cli_opt opts[] = {
		{"--db", CLI_STRING, &db, "FILE", "the database (default $RETRYLENS_DB, else retrylens.db)"},
		{"--older-than", CLI_STRING, &older, "WHEN",
		 "drop what is older: a span back from now (30d, 12h, 2w), a date or an RFC 3339 time"},
		CLI_WAIT_OPT(wait_us),
		{"--quiet", CLI_FLAG, &quiet, NULL, "no summary on stderr (errors still show)"},
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"prune",
		"--db DB --older-than WHEN",
		"Drops what a database holds of traffic older than WHEN: the per-minute counts of earlier\n"
		"minutes, lockstep candidates, clients not seen since (their addresses with them) and the\n"
		"rejected-line samples of runs that finished before it. Reports then cover what is left.",
		"The retry chains still in progress and the per-input line counts stay.\n\n"
		"examples:\n"
		"  retrylens prune --db api.db --older-than 30d\n"
		"  retrylens prune --db api.db --older-than 2026-11-01\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos) {
		rc = cli_usage(cmd.name, "unexpected argument '%s'", pos[0]);
		goto done;
	}
	int64_t before;
	if (!older) {
		rc = cli_usage(cmd.name, "--older-than is required (e.g. --older-than 30d)");
		goto done;
	}
	if (!rl_timestamp_parse_when(older, rl_wall_us(), &before)) {
		rc = cli_usage(cmd.name,
			       "--older-than: '%s' is not a time: give a span back from now (30d, 12h, 2w), a date "
			       "(2026-11-01) or an RFC 3339 time",
			       older);
		goto done;
	}
	rl_store *st;
	rl_err err;
	rl_err_clear(&err);
	rl_store_opts so = cli_writer_opts(wait_us, &quiet);
	so.must_exist = true;
	if (rl_store_open(&st, cli_db_path(db), &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
	rl_store_pruned p;
	if (rl_store_begin(st, &err) || rl_store_prune_older(st, before, &p, &err) || rl_store_commit(st, &err)) {
		rl_store_rollback(st);
		rc = cli_fail(&err);
	} else if (!quiet) {
		char when[32];
		fprintf(stderr,
			"retrylens: pruned %s of what is older than %s: %llu per-minute rows, %llu clients, %llu "
			"lockstep candidates, %llu rejected-line samples\n",
			rl_store_path(st), rl_timestamp_format(before, when), (unsigned long long)p.minutes,
			(unsigned long long)p.clients, (unsigned long long)p.candidates, (unsigned long long)p.samples);
	}
	rl_store_close(st);
done:
	free(pos);
	return rc;
}
