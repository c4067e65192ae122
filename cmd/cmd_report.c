/* cmd_report.c - retrylens report: the report of a database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/base/timestamp.h"
#include "lib/store/identity.h"

/* Says so when the latest run did not finish: it was killed or crashed (it is not
 * running: no writer holds the database), and the report holds what it committed. */
static void last_run_notice(rl_store *st)
{
	const char *path = rl_store_path(st);
	rl_store_query *q;
	rl_err err;
	rl_err_clear(&err);
	if (rl_store_query_open(st, "sql/report/last_run.sql", &q, &err))
		return;
	if (rl_store_query_step(q, &err) == 1 && strcmp(rl_store_query_text(q, 2), "running") == 0) {
		char when[32];
		if (rl_store_writer_busy(path))
			fprintf(stderr, "retrylens: %s: an %s is writing to it: the report holds its commits so far\n",
				path, rl_store_query_text(q, 0));
		else
			fprintf(stderr,
				"retrylens: %s: the last run (%s, started %s) did not finish: it was killed or "
				"crashed; the report holds what it committed (%lld lines)\n",
				path, rl_store_query_text(q, 0), rl_timestamp_format(rl_store_query_int(q, 1), when),
				(long long)rl_store_query_int(q, 3));
	}
	rl_store_query_close(q);
}

int cmd_report(int argc, char **argv)
{
	const char *db = NULL, *policy = NULL;
	cli_output_args out = {CLI_OUTPUT_DEFAULTS};
	cli_report_args ra = {CLI_REPORT_DEFAULTS};
	cli_list fail_on = {0};
	const cli_opt opts[] = {
		{"--db", CLI_STRING, &db, "FILE", "the database (default $RETRYLENS_DB, else retrylens.db)"},
		{"--policy", CLI_STRING, &policy, "NAME|FILE",
		 "classify statuses with this policy (default: the database's)"},
		CLI_OUTPUT_OPTS(out),
		CLI_REPORT_OPTS(ra),
		CLI_FAIL_ON_OPT(fail_on),
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"report",
		"--db DB [options]",
		"Prints the report of everything ingested into a database, or of a time window of it.",
		"examples:\n"
		"  retrylens report --db api.db\n"
		"  retrylens report --db api.db --output json --policy leaperone\n"
		"  retrylens report --db api.db --since 24h --by hour\n"
		"  retrylens report --db api.db --output csv --table clients > clients.csv\n"
		"  retrylens report --db api.db --since 1h --output prometheus -o "
		"/var/lib/prometheus/node-exporter/retrylens.prom\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos) {
		rc = cli_usage(cmd.name, "unexpected argument '%s' (report reads a database, not files)", pos[0]);
		goto done;
	}
	rl_report_opts ro;
	if ((rc = cli_check_output(cmd.name, &out)) || (rc = cli_report_opts(cmd.name, &ra, NULL, &ro)))
		goto done; /* usage errors before the database is opened */
	rl_store *st;
	rl_err err;
	rl_err_clear(&err);
	rl_store_opts so = {.must_exist = true};
	if (rl_store_open(&st, cli_db_path(db), &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
	last_run_notice(st);
	rl_policy pol;
	if (policy) {
		rc = cli_load_policy(policy, &pol);
	} else {
		/* the policy the database was built with */
		rl_store_identity id;
		if (rl_store_identity_read(st, &id, &err))
			rc = cli_fail(&err);
		else if (!id.built)
			rc = cli_load_policy("default", &pol);
		else
			pol = id.policy;
	}
	ro.policy = &pol;
	rl_store *view = st;
	if (!rc && !(rc = cli_pending_view(st, &view)))
		rc = cli_render(cmd.name, view, &ro, &out, &fail_on);
	if (view != st)
		rl_store_close(view);
	rl_store_close(st);
done:
	free(pos);
	return rc;
}
