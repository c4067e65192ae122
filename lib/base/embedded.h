/* base/embedded.h - files built into the binary (sql/, lib/policies/).
 *
 * cmake/embed.cmake turns each file into a NUL-terminated array at build time, so the
 * binary needs no data directory. Names are paths relative to the source root. */
#ifndef RL_EMBEDDED_H
#define RL_EMBEDDED_H

#include <stddef.h>

typedef struct rl_embedded {
	const char *name; /* "sql/migrate/0001_init.sql" */
	const char *data; /* NUL-terminated */
	size_t len; /* without the NUL */
} rl_embedded;

/* The table, ending with a {NULL, NULL, 0} entry, sorted by name. */
extern const rl_embedded rl_embedded_files[];

/* Returns the file called name, or NULL. */
const rl_embedded *rl_embedded_find(const char *name);

#endif
