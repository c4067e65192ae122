/* store/version.c - the version of the SQLite library the store runs on. */
#include <sqlite3.h>

#include "lib/store/version.h"

const char *rl_store_sqlite_version(void)
{
	return sqlite3_libversion();
}
