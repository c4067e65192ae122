/* cmd_policies.c - retrylens policies [NAME]: the built-in retry policies. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cli.h"

int cmd_policies(int argc, char **argv)
{
	const cli_opt opts[] = {{NULL, 0, NULL, NULL, NULL}};
	const cli_cmd cmd = {
		"policies",
		"[NAME|FILE]",
		"Without a name, lists the built-in retry policies. With one, prints that policy\n"
		"(or checks and prints a policy file) as JSON: the form --policy FILE reads.",
		"examples:\n"
		"  retrylens policies\n"
		"  retrylens policies leaperone > mine.json   # edit, then: --policy mine.json\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos > 1) {
		rc = cli_usage(cmd.name, "one policy at a time");
		goto done;
	}
	rl_policy p;
	if (npos == 0) {
		for (const char *const *n = rl_policy_builtin_names(); *n; n++) {
			if ((rc = cli_load_policy(*n, &p)))
				goto done;
			printf("%-16s %s\n", p.name, p.description);
		}
		goto done;
	}
	if ((rc = cli_load_policy(pos[0], &p)))
		goto done;
	char *json = rl_policy_to_json(&p, true);
	if (!json) {
		rc = EXIT_INPUT;
		goto done;
	}
	printf("%s\n", json);
	free(json);
done:
	free(pos);
	return rc;
}
