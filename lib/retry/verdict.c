/* retry/verdict.c - the names of the verdicts and the retry counters (lib/retry/verdict.h). */
#include "lib/retry/verdict.h"

#include <stddef.h>

#define NAME_(id, name, head, help) #name,
#define HEAD_(id, name, head, help) head,
#define HELP_(id, name, head, help) help,
static const char *const verdict_names[RL_V_COUNT] = {"", RL_VERDICTS(NAME_)};
static const char *const counter_names[RL_RC_N] = {RL_RETRY_COUNTERS(NAME_)};
static const char *const counter_heads[RL_RC_N] = {RL_RETRY_COUNTERS(HEAD_)};
static const char *const counter_helps[RL_RC_N] = {RL_RETRY_COUNTERS(HELP_)};

const char *rl_verdict_name(rl_verdict v)
{
	return (unsigned)v < RL_V_COUNT ? verdict_names[v] : "";
}

const char *rl_retry_counter_name(int i)
{
	return i >= 0 && i < RL_RC_N ? counter_names[i] : NULL;
}

const char *rl_retry_counter_head(int i)
{
	return i >= 0 && i < RL_RC_N ? counter_heads[i] : NULL;
}

const char *rl_retry_counter_help(int i)
{
	return i >= 0 && i < RL_RC_N ? counter_helps[i] : NULL;
}
