/* render/threshold.h - --fail-on: thresholds on the numbers of the JSON report (SPEC §5).
 *
 * A threshold is "METRIC OP NUMBER": METRIC a dotted path into the document of
 * --output json ("retries.backoff.compliance_rate"); without its "totals." or
 * "retries." prefix where only one of the two has it ("attempts", "blind_4xx_retry_rate");
 * else the end of a path where only one field ends so ("compliance_rate"); OP one of <
 * <= > >= == !=. A cron job fails loudly when one is crossed; a null value (a rate of
 * nothing) never crosses. */
#ifndef RL_THRESHOLD_H
#define RL_THRESHOLD_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/base/err.h"

typedef enum rl_threshold_op { RL_OP_LT, RL_OP_LE, RL_OP_GT, RL_OP_GE, RL_OP_EQ, RL_OP_NE } rl_threshold_op;

#define RL_THRESHOLD_PATH_MAX 160

typedef struct rl_threshold {
	const char *text; /* as given (borrowed) */
	char metric[RL_THRESHOLD_PATH_MAX]; /* as given */
	char path[RL_THRESHOLD_PATH_MAX]; /* resolved: the full dotted path */
	rl_threshold_op op;
	double value;
} rl_threshold;

/* Parses text ("retries.blind_4xx_retry_rate > 0.01"; spaces are optional) into t.
 * Returns 0 or RL_EUSAGE with a message. */
int rl_threshold_parse(const char *text, rl_threshold *t, rl_err *err);

/* Resolves t->metric in doc into t->path. Returns 0, or RL_EUSAGE: an unknown metric
 * (the message lists the closest names), one that more than one field ends with (the
 * message lists them), or one that is not a number. */
int rl_threshold_resolve(rl_threshold *t, json_t *doc, rl_err *err);

/* Whether the resolved t is crossed in doc: 1 crossed, 0 not, -1 the value is null (it
 * never crosses). *value gets the number. */
int rl_threshold_eval(const rl_threshold *t, json_t *doc, double *value);

/* "<", "<=", … */
const char *rl_threshold_op_name(rl_threshold_op op);

#endif
