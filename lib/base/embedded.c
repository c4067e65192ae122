/* base/embedded.c - lookup in the table of files built into the binary. */
#include "lib/base/embedded.h"

#include <string.h>

const rl_embedded *rl_embedded_find(const char *name)
{
	for (const rl_embedded *e = rl_embedded_files; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}
