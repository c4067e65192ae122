/* classify/endpoint.h - request targets to endpoint templates (SPEC §4).
 *
 * "/v1/leads/12345?x=1" → "/v1/leads/{id}": the path without query or fragment, where a
 * segment that is all digits, a UUID, or ≥ 16 hex digits becomes {id} and an e-mail
 * address {email}. An absolute-form target ("http://host/p") keeps only its path; "*"
 * stays "*"; a request without a target is "-". Capping the number of templates is the
 * interner's job (lib/mem/intern.h). */
#ifndef RL_ENDPOINT_H
#define RL_ENDPOINT_H

#include <stddef.h>

#include "lib/base/text.h"

#define RL_ENDPOINT_MAX_LEN 256

/* Writes the template of target into out (cap bytes, not NUL-terminated) and returns its
 * length (≤ cap: a longer template is cut). Allocates nothing. */
size_t rl_endpoint_template(rl_str target, char *out, size_t cap);

#endif
