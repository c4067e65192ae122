/* classify/error_body.h - what an error response says (type, code, message), and its message as a template.
 *
 * A response body (lib/format/record.h: rec->body) may be a JSON envelope, one the logger cut
 * off, an HTML error page or plain text. rl_error_body_parse() reads, in this order:
 *
 *   JSON (jansson)  the two seed envelopes {"error":{"message","type","code","details"}},
 *                   {"error":"text"} (OAuth's {"error":"code","error_description":"text"}:
 *                   the error is the code), {"errors":[{"message",…}]} (GraphQL's
 *                   extensions.code too), a top-level {"message",…} (GitHub's
 *                   {"message":"Validation Failed","errors":[{"code":…}]}: the message is
 *                   the top level's, type and code come from errors[0] when the top level
 *                   has none), RFC 9457 {"type","title","detail"}, {"detail":…} and a
 *                   bare JSON string. A numeric code is written in decimal.
 *   cut-off JSON    a PCRE2 pattern (compiled once, JIT) pulls the first "message",
 *                   "error_description", "detail" or string "error", and "type" and
 *                   "code", out of the text; a value cut off by the end counts as cut.
 *   HTML            the <title> or first <h1>.
 *   plain text      its first non-empty line.
 *
 * Bounds: a message is kept to RL_ERROR_BODY_MAX (200) bytes, a type or code to
 * RL_ERROR_BODY_FIELD_MAX (64), each cut at a character boundary; a template is at most
 * RL_ERROR_BODY_MAX bytes. Nothing is allocated per call but jansson's tree of a JSON body.
 *
 * Templates (rl_error_body_template) make "Lead 123 not found" and "Lead 456 not found" one
 * row: control characters and runs of white space become one space (trimmed), then
 *   'quoted' / "quoted" text        → '{s}' / "{s}" (a quote opens after a non-word
 *                                      character; "can't" is no quote)
 *   a UUID                           → {uuid}
 *   an e-mail address                → {email}
 *   a word (letters, digits, _) of ≥ 8 characters, all hex, with a digit → {hex}
 *   a word of ≥ 16 characters mixing letters and digits ("cus_9s6XKzkNRiz8i3") → {id}
 *   a word that starts with a digit: each run of digits, with a decimal fraction → {n}
 *                                      ("42" → {n}, "1.5" → {n}, "30s" → {n}s)
 * Words that start with a letter keep their digits ("v2", "OAuth2", "sha256"). The
 * function is pure: the same message always gives the same template. */
#ifndef RL_ERROR_BODY_H
#define RL_ERROR_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/text.h"

#define RL_ERROR_BODY_MAX 200 /* bytes of a message, a template, a sample */
#define RL_ERROR_BODY_FIELD_MAX 64 /* bytes of a type or a code */

typedef struct rl_error_body rl_error_body;

/* What one body says; each field NUL-terminated, "" when the body does not say it.
 * Bytes are as sent (JSON escapes decoded): not cleaned, maybe not UTF-8. */
typedef struct rl_error_body_fields {
	char type[RL_ERROR_BODY_FIELD_MAX + 1];
	char code[RL_ERROR_BODY_FIELD_MAX + 1];
	char message[RL_ERROR_BODY_MAX + 1];
	bool message_cut; /* the message was longer than RL_ERROR_BODY_MAX, or the body ended inside it */
} rl_error_body_fields;

/* A parser: the compiled fallback patterns and their match data. NULL when out of
 * memory. One parser serves one thread. */
rl_error_body *rl_error_body_new(void);
void rl_error_body_free(rl_error_body *em);

/* Reads body (a view, not NUL-terminated, maybe cut off or binary) into *out. Returns
 * true when it found a message, a type or a code; false leaves *out all "". */
bool rl_error_body_parse(rl_error_body *em, rl_str body, rl_error_body_fields *out);

/* Writes the template of the n bytes of msg into out (cap ≥ 1 bytes, NUL-terminated,
 * at most RL_ERROR_BODY_MAX bytes before the NUL) and returns its length. cut says that msg
 * was cut off: a quote still open at its end is then a quoted value ('{s}). Invalid
 * UTF-8 is copied as is (clean the result before it leaves the program). */
size_t rl_error_body_template(const char *msg, size_t n, bool cut, char *out, size_t cap);

#endif
