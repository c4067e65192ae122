/* jscan.h - one pass over a JSON object that picks the values of a set of paths.
 *
 * The JSON formats (json.c, envelope.c) need a handful of values out of each line, not
 * a tree: rl_jscan() walks the object once, checks its grammar (RFC 8259; bytes of
 * strings are taken as they are, so nginx's raw non-UTF-8 bytes do not reject a line)
 * and fills one slot per wanted path. It allocates nothing: strings with escapes are
 * decoded into a buffer the caller owns; every other value is a view into the line.
 *
 * A path is dotted keys with array indexes: `request.headers.User-Agent`, `a[2].b`,
 * `headers["X.Y"]` for a key holding a dot. Where a path reaches an array without an
 * index, the array's first element is taken (Caddy logs header values as arrays). */
#ifndef RL_JSCAN_H
#define RL_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/text.h"

typedef enum rl_jtype {
	RL_J_NONE = 0, /* the path was not in the line */
	RL_J_STRING,
	RL_J_NUMBER,
	RL_J_TRUE,
	RL_J_FALSE,
	RL_J_NULL,
	RL_J_OBJECT,
	RL_J_ARRAY,
} rl_jtype;

/* A value found: a string decoded (in the line, or in the caller's buffer when it held
 * escapes), a number as its text in the line (exact: never through a double), an object
 * or array as its raw JSON text, true/false/null as their text. */
typedef struct rl_jvalue {
	rl_jtype type;
	rl_str text;
} rl_jvalue;

typedef struct rl_jpaths rl_jpaths;

/* An empty path set. Returns NULL when out of memory. */
rl_jpaths *rl_jpaths_new(void);

/* Frees s; NULL is fine. */
void rl_jpaths_free(rl_jpaths *s);

/* Adds the path (n bytes at path) whose value goes to slot (0..255); raw asks for an
 * object or array as JSON text instead of its first element. Two paths may share a
 * slot (the later one in the line wins). Returns 0, -1 for a malformed path (empty
 * key, unclosed bracket, bad index, deeper than 8 steps), RL_ENOMEM. */
int rl_jpaths_add(rl_jpaths *s, const char *path, size_t n, int slot, bool raw);

/* The number of slots in use (1 + the highest slot added). */
size_t rl_jpaths_slots(const rl_jpaths *s);

/* Scans the n bytes at p, which must hold one JSON object (white space around it is
 * fine), and fills vals[0 .. rl_jpaths_slots(s)) (reset first). buf, of cap ≥ n bytes,
 * receives decoded strings. Returns true when the line is a JSON object, false when it
 * is not JSON or not an object (then vals are unspecified). Views stay valid while the
 * line and buf do. */
bool rl_jscan(const rl_jpaths *s, const char *p, size_t n, rl_jvalue *vals, char *buf, size_t cap);

/* Objects and arrays nest at most this deep in a line rl_jscan reads. */
#define RL_JSCAN_MAX_DEPTH 128

#endif
