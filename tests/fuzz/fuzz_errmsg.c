/* fuzz_errmsg.c - error bodies (lib/classify/error_body.h) and output-safe text (lib/base/text.h).
 *
 * The input, in a buffer of exactly its size, is a response body for rl_error_body_parse();
 * the message found is templated (rl_error_body_template, cut and not) and cleaned. The
 * input itself is also templated, JSON-unescaped (rl_json_unescape, into buffers too
 * small and large enough) and cleaned (rl_text_clean, small and large capacity).
 * Checked: the documented bounds (a template at most RL_ERROR_BODY_MAX bytes and
 * NUL-terminated, unescape never past cap, clean output NUL-terminated within cap). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/classify/error_body.h"
#include "lib/base/text.h"

static rl_error_body *em;

static void check_template(const char *msg, size_t n, bool cut)
{
	char out[RL_ERROR_BODY_MAX + 1], small[9];
	size_t len = rl_error_body_template(msg, n, cut, out, sizeof out);
	if (len > RL_ERROR_BODY_MAX || strlen(out) != len)
		abort();
	len = rl_error_body_template(msg, n, cut, small, sizeof small);
	if (len >= sizeof small || strlen(small) != len)
		abort();
	char clean[4 * RL_ERROR_BODY_MAX + 8];
	len = rl_text_clean(clean, sizeof clean, out, strlen(out));
	if (len >= sizeof clean || strlen(clean) != len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!em && !(em = rl_error_body_new()))
		abort();
	char *body = malloc(size ? size : 1);
	if (!body)
		return 0;
	memcpy(body, data, size);

	rl_error_body_fields f;
	if (rl_error_body_parse(em, rl_str_make(body, size), &f)) {
		if (strlen(f.message) > RL_ERROR_BODY_MAX || strlen(f.type) > RL_ERROR_BODY_FIELD_MAX ||
		    strlen(f.code) > RL_ERROR_BODY_FIELD_MAX)
			abort();
		check_template(f.message, strlen(f.message), f.message_cut);
	} else if (f.message[0] || f.type[0] || f.code[0]) {
		abort(); /* false leaves every field "" */
	}
	check_template(body, size, false);
	check_template(body, size, true);

	size_t caps[] = {0, 1, 3, size / 2, size, size + 8};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		char *dst = malloc(caps[i] ? caps[i] : 1);
		if (!dst)
			break;
		bool cut;
		size_t len = rl_json_unescape(dst, caps[i], body, size, &cut);
		if (len > caps[i])
			abort();
		free(dst);
	}
	size_t ccaps[] = {1, 2, 5, 16, 4 * size + 8};
	for (size_t i = 0; i < sizeof ccaps / sizeof ccaps[0]; i++) {
		char *dst = malloc(ccaps[i]);
		if (!dst)
			break;
		size_t len = rl_text_clean(dst, ccaps[i], body, size);
		if (len >= ccaps[i] || strlen(dst) != len)
			abort();
		free(dst);
	}
	free(body);
	return 0;
}
