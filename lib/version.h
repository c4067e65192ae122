/* version.h - what 'retrylens --version' tells: the version of retrylens and those of
 * the libraries it runs on, as linked at run time (a shared library upgraded under the
 * binary shows its new version), not as compiled against. */
#ifndef RL_VERSION_H
#define RL_VERSION_H

#include <stddef.h>

/* One library: its name ("PCRE2") and its version ("10.42 2022-12-11"). */
typedef struct rl_version_lib {
	const char *name;
	char version[64];
} rl_version_lib;

/* How many libraries rl_version_libs() fills: PCRE2, SQLite, jansson, zlib. */
#define RL_VERSION_NLIBS 4

/* The version of retrylens ("0.1.0"), a static string. */
const char *rl_version(void);

/* Fills libs[0 .. RL_VERSION_NLIBS) with each linked library's name and version, in
 * the order above. Cannot fail: a version that cannot be read is "unknown". */
void rl_version_libs(rl_version_lib libs[RL_VERSION_NLIBS]);

#endif
