/* fuzz_policy.c - policy JSON (lib/classify/policy.h) and the backoff rules it drives.
 *
 * The input is parsed as a policy file; a policy that parses is written back as JSON
 * (which must parse again) and judged on a few waits with lib/retry/backoff.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/retry/backoff.h"
#include "lib/classify/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	static rl_policy p, q;
	rl_err err;
	int rc = rl_policy_parse(&p, text, size, "fuzz.json", &err);
	free(text);
	if (rc)
		return 0;
	char *json = rl_policy_to_json(&p, size & 1);
	if (json) {
		if (rl_policy_parse(&q, json, strlen(json), "round-trip", &err))
			abort(); /* what the parser accepted, written back, must parse */
		free(json);
	}
	for (int s = -1; s < 1001; s += 7)
		(void)rl_policy_retryable(&p, s);
	(void)rl_policy_method_safe(&p, "GET", 3);
	(void)rl_policy_method_safe(&p, "POST", 4);
	static const int64_t waits[] = {-5000, 0, 99999, 100000, 250000, 1000000, 30000000, INT64_MAX / 4};
	for (unsigned n = 1; n <= 70; n = n < 8 ? n + 1 : n * 3) {
		if (p.has_backoff) {
			(void)rl_backoff_nominal_us(&p, n);
			(void)rl_backoff_floor_us(&p, n);
		}
		for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++) {
			rl_backoff_in in = {.n = n,
					    .wait_us = waits[i],
					    .tol_us = 1000,
					    .retry_after_us = i & 1 ? 2000000 : -1,
					    .prev_wait_us = i & 2 ? waits[i] / 2 : -1};
			rl_backoff_out out = rl_backoff_judge(&p, &in);
			if (out.verdict <= RL_V_NONE || out.verdict >= RL_V_COUNT)
				abort();
		}
	}
	return 0;
}
