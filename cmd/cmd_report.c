/* cmd_report.c - retrylens report: the report of a database. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "lib/store/identity.h"

int cmd_report(int argc, char **argv)
{
	const char *db = NULL, *policy = NULL, *output = "text";
	size_t top = 20;
	cli_list fail_on = {0};
	const cli_opt opts[] = {
		{"--db", CLI_STRING, &db, "FILE", "the database (default $RETRYLENS_DB, else retrylens.db)"},
		{"--policy", CLI_STRING, &policy, "NAME|FILE",
		 "classify statuses with this policy (default: the database's)"},
		{"--output", CLI_STRING, &output, "FMT", "text (default) or json"},
		{"--top", CLI_COUNT, &top, "N", "rows of the endpoint and client tables (default 20; 0: all)"},
		CLI_FAIL_ON_OPT(fail_on),
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"report",
		"--db DB [options]",
		"Prints the report of everything ingested into a database.",
		"examples:\n"
		"  retrylens report --db api.db\n"
		"  retrylens report --db api.db --output json --policy leaperone\n",
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
	if ((rc = cli_check_output(cmd.name, output)))
		goto done;
	rl_store *st;
	rl_err err;
	rl_err_clear(&err);
	rl_store_opts so = {.must_exist = true};
	if (rl_store_open(&st, cli_db_path(db), &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
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
	if (!rc)
		rc = cli_render(st, &pol, output, top, &fail_on);
	rl_store_close(st);
done:
	free(pos);
	return rc;
}
