/* version.c - the versions of retrylens and of the libraries it is linked with. */
#include "lib/version.h"

#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <zlib.h>

#include "lib/store/version.h"

const char *rl_version(void)
{
	return RL_VERSION;
}

static void set(rl_version_lib *lib, const char *name, const char *version)
{
	lib->name = name;
	snprintf(lib->version, sizeof lib->version, "%s", version && *version ? version : "unknown");
}

void rl_version_libs(rl_version_lib libs[RL_VERSION_NLIBS])
{
	/* PCRE2 writes "10.42 2022-12-11"; a negative return is a buffer too small */
	char pcre2[sizeof libs[0].version] = "";
	if (pcre2_config(PCRE2_CONFIG_VERSION, pcre2) < 0)
		pcre2[0] = '\0';
	set(&libs[0], "PCRE2", pcre2);
	set(&libs[1], "SQLite", rl_store_sqlite_version());
#if JANSSON_MAJOR_VERSION > 2 || (JANSSON_MAJOR_VERSION == 2 && JANSSON_MINOR_VERSION >= 13)
	set(&libs[2], "jansson", jansson_version_str()); /* since jansson 2.13: the linked one */
#else
	set(&libs[2], "jansson", JANSSON_VERSION); /* older: only the headers' version is known */
#endif
	set(&libs[3], "zlib", zlibVersion());
}
