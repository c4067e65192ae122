/* store/identity.h - what a database was built with: its uuid, its policy, its window.
 *
 * A database is made by one policy and one retry window (SPEC §3): the first ingest
 * claims them, every later ingest must bring the same, and a report reads them back.
 * The uuid names the database itself (made when the file is created). This is the one
 * module that reads or writes those meta keys. */
#ifndef RL_STORE_IDENTITY_H
#define RL_STORE_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/classify/policy.h"
#include "lib/store/store.h"

typedef struct rl_store_identity {
	char uuid[40]; /* "" in a database made before uuids */
	bool built; /* something was ingested: policy and window below are set */
	rl_policy policy; /* the policy the database was built with */
	int64_t retry_window_us;
} rl_store_identity;

/* Gives a new database its uuid; a database that has one keeps it. */
int rl_store_identity_init(rl_store *st, rl_err *err);

/* Reads st's identity into *id. Returns 0, or RL_EDB / RL_EUSAGE (a stored policy that
 * no longer parses) with err filled. */
int rl_store_identity_read(rl_store *st, rl_store_identity *id, rl_err *err);

/* Claims policy and window for st: sets them on a database never built; on a built one
 * returns RL_EUSAGE naming what differs (a changed policy file counts as another
 * policy). Returns 0 when they match or were set. */
int rl_store_identity_claim(rl_store *st, const rl_policy *policy, int64_t retry_window_us, rl_err *err);

#endif
