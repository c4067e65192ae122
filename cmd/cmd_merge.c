/* cmd_merge.c - retrylens merge: shard or host databases added into one (SPEC §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cli.h"
#include "lib/merge/merge.h"
#include "lib/store/identity.h"

int cmd_merge(int argc, char **argv)
{
	const char *db = NULL;
	int64_t wait_us = RL_DEFAULT_WAIT_US;
	bool quiet = false;
	const cli_opt opts[] = {
		{"--db", CLI_STRING, &db, "OUT", "the database merged into (default $RETRYLENS_DB, else retrylens.db)"},
		CLI_WAIT_OPT(wait_us),
		{"--quiet", CLI_FLAG, &quiet, NULL, "no notices or summary on stderr (errors still show)"},
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"merge",
		"--db OUT IN.db...",
		"Adds the aggregates of other databases to OUT: the shards of one partition by client\n"
		"(ingest --shard I/N), which is exact, or one database per host, which is exact for\n"
		"attempts and statuses and undercounts retries that crossed hosts. The report says which.",
		"Every input must have OUT's policy and --retry-window (else exit 2, nothing written); one\n"
		"merged before (by its uuid) is skipped. Each input is merged in a transaction of its own.\n\n"
		"examples:\n"
		"  retrylens merge --db api.db shard-0.db shard-1.db shard-2.db shard-3.db\n"
		"  retrylens merge --db fleet.db web-1.db web-2.db    # hosts: retries across them undercounted\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (!npos) {
		rc = cli_usage(cmd.name, "no input: name the databases to merge into --db");
		goto done;
	}
	rl_store *st;
	rl_err err;
	rl_err_clear(&err);
	struct stat sb;
	const char *path = cli_db_path(db);
	bool existed = stat(path, &sb) == 0;
	rl_store_opts so = cli_writer_opts(wait_us, &quiet);
	if (rl_store_open(&st, path, &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
	rl_merge_opts mo = {cli_notice, &quiet};
	rl_merge_stats ms;
	if (rl_merge_run(st, (const char *const *)pos, npos, &mo, &ms, &err)) {
		rc = cli_fail(&err);
		if (ms.merged && !quiet)
			fprintf(stderr,
				"retrylens: %zu input%s merged into %s before the failure (the same command merges "
				"the rest)\n",
				ms.merged, ms.merged == 1 ? " was" : "s were", rl_store_path(st));
	} else if (!quiet) {
		fprintf(stderr, "retrylens: merged %zu database%s (%llu lines, %llu attempts) into %s", ms.merged,
			ms.merged == 1 ? "" : "s", (unsigned long long)ms.lines, (unsigned long long)ms.attempts,
			rl_store_path(st));
		if (ms.skipped)
			fprintf(stderr, ", %zu skipped", ms.skipped);
		if (!strcmp(ms.mode, "shards") && ms.shards_of > ms.leaves)
			fprintf(stderr,
				": %lld of %u shards (the clients of the others are missing until they are merged)\n",
				(long long)ms.leaves, ms.shards_of);
		else if (!strcmp(ms.mode, "shards"))
			fprintf(stderr, ": %lld shard%s, exact\n", (long long)ms.leaves, ms.leaves == 1 ? "" : "s");
		else if (!strcmp(ms.mode, "hosts"))
			fprintf(stderr,
				": %lld host database%s: attempts and statuses exact, retries that crossed hosts "
				"undercounted (ingest --shard I/N over every host's logs is exact)\n",
				(long long)ms.leaves, ms.leaves == 1 ? "" : "s");
		else
			fprintf(stderr, "\n");
	}
	/* refused: a database this run made is not left behind (its files removed under its
	 * lock, and only if it still holds nothing: another writer may have made it first;
	 * the lock file stays, as every database's does) */
	rl_store_identity id;
	rl_err ignored;
	if (!existed && rc && !ms.merged && rl_store_identity_read(st, &id, &ignored) == 0 && !id.built)
		rl_store_close_remove(st);
	else
		rl_store_close(st);
done:
	free(pos);
	return rc;
}
