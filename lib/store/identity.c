/* store/identity.c - a database's uuid, policy and retry window (meta keys "uuid",
 * "created_us", "policy", "policy_json", "retry_window_us"). */
#include "lib/store/identity.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/defaults.h"
#include "lib/base/timestamp.h"

int rl_store_identity_init(rl_store *st, rl_err *err)
{
	char buf[64];
	int rc = rl_store_meta_get(st, "uuid", buf, sizeof buf, err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	unsigned char b[16];
	sqlite3_randomness(sizeof b, b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 1 */
	snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	if ((rc = rl_store_meta_set(st, "uuid", buf, err)))
		return rc;
	return rl_store_meta_set_i64(st, "created_us", rl_wall_us(), err);
}

int rl_store_identity_read(rl_store *st, rl_store_identity *id, rl_err *err)
{
	memset(id, 0, sizeof *id);
	id->retry_window_us = RL_DEFAULT_RETRY_WINDOW_US;
	int rc = rl_store_meta_get(st, "uuid", id->uuid, sizeof id->uuid, err);
	if (rc < 0)
		return rc;
	char *json;
	if ((rc = rl_store_meta_dup(st, "policy_json", &json, err)) <= 0)
		return rc;
	rc = rl_policy_parse(&id->policy, json, strlen(json), rl_store_path(st), err);
	free(json);
	if (rc)
		return rc;
	if ((rc = rl_store_meta_get_i64(st, "retry_window_us", &id->retry_window_us, err)) < 0)
		return rc;
	char shard[32];
	if ((rc = rl_store_meta_get(st, "shard", shard, sizeof shard, err)) < 0)
		return rc;
	if (rc == 1 && shard[0] && !rl_store_shard_parse(shard, &id->shard_i, &id->shard_n))
		return rl_err_set(err, RL_EDB, rl_store_path(st), 0,
				  "its shard '%s' is not I/N: the database is damaged", shard);
	snprintf(id->merged_mode, sizeof id->merged_mode, "none");
	int64_t of = 0;
	if ((rc = rl_store_meta_get(st, "merged_mode", id->merged_mode, sizeof id->merged_mode, err)) < 0 ||
	    (rc = rl_store_meta_get_i64(st, "merged_inputs", &id->merged_inputs, err)) < 0 ||
	    (rc = rl_store_meta_get_i64(st, "merged_shards_of", &of, err)) < 0)
		return rc;
	id->merged_of = (uint32_t)of;
	id->built = true;
	return 0;
}

bool rl_store_shard_parse(const char *s, uint32_t *i, uint32_t *n)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	unsigned long a = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return false;
	unsigned long b = strtoul(end + 1, &end, 10);
	if (*end || b < 1 || b > 65536 || a >= b)
		return false;
	*i = (uint32_t)a;
	*n = (uint32_t)b;
	return true;
}

int rl_store_identity_claim_shard(rl_store *st, uint32_t i, uint32_t n, rl_err *err)
{
	char have[32] = "", want[32] = "";
	if (n > 1)
		snprintf(want, sizeof want, "%u/%u", i, n);
	int rc = rl_store_meta_get(st, "shard", have, sizeof have, err);
	if (rc < 0)
		return rc;
	char *json = NULL;
	int built = rl_store_meta_dup(st, "policy_json", &json, err);
	free(json);
	if (built < 0)
		return built;
	if (!built)
		return want[0] ? rl_store_meta_set(st, "shard", want, err) : 0;
	if (strcmp(have, want) == 0)
		return 0;
	if (!have[0])
		return rl_err_set(err, RL_EUSAGE, rl_store_path(st), 0,
				  "this database holds every client, not a shard: ingest --shard %s into a database "
				  "of its own",
				  want);
	if (!want[0])
		return rl_err_set(err, RL_EUSAGE, rl_store_path(st), 0,
				  "this database is shard %s: ingest with --shard %s, or use another --db", have, have);
	return rl_err_set(err, RL_EUSAGE, rl_store_path(st), 0,
			  "this database is shard %s, not %s: use --shard %s or another --db", have, want, have);
}

int rl_store_identity_claim(rl_store *st, const rl_policy *policy, int64_t retry_window_us, rl_err *err)
{
	char *want = rl_policy_to_json(policy, false), *have = NULL;
	if (!want)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	int rc = rl_store_meta_dup(st, "policy_json", &have, err);
	if (rc == 0) {
		if (!(rc = rl_store_meta_set(st, "policy", policy->name, err)) &&
		    !(rc = rl_store_meta_set(st, "policy_json", want, err)))
			rc = rl_store_meta_set_i64(st, "retry_window_us", retry_window_us, err);
	} else if (rc == 1) {
		char name[sizeof policy->name] = "";
		int64_t window = RL_DEFAULT_RETRY_WINDOW_US;
		if ((rc = rl_store_meta_get(st, "policy", name, sizeof name, err)) >= 0 &&
		    (rc = rl_store_meta_get_i64(st, "retry_window_us", &window, err)) >= 0)
			rc = 0;
		if (rc)
			;
		else if (strcmp(have, want) != 0)
			rc = rl_err_set(err, RL_EUSAGE, rl_store_path(st), 0,
					"this database was built with policy '%s'; ingest with --policy %s (a changed "
					"policy file counts as another policy) or use another --db",
					name, name);
		else if (window != retry_window_us)
			rc = rl_err_set(
				err, RL_EUSAGE, rl_store_path(st), 0,
				"this database was built with --retry-window %g s; use the same or another --db",
				(double)window / 1e6);
	}
	free(have);
	free(want);
	return rc;
}
