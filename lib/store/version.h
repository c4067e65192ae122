/* store/version.h - the version of the SQLite library the store runs on.
 *
 * Only lib/store/ includes <sqlite3.h>: what else wants SQLite's version (the
 * library versions of lib/version.h) asks here. */
#ifndef RL_STORE_VERSION_H
#define RL_STORE_VERSION_H

/* The version of the SQLite linked at run time ("3.40.1"): sqlite3_libversion(), a
 * static string. */
const char *rl_store_sqlite_version(void);

#endif
