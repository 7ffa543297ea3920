/* registry_group: the group-name rule (registry_group.h). Plain ASCII only,
 * whatever the locale, because the name becomes a directory under the
 * registry root. */
#include "config.h"
#include "registry_group.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

bool registry_group_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > REGISTRY_GROUP_MAX)
		return false;
	if (!isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1]))
		return false;
	/* Hyphens may only sit between alphanumerics. The pattern alone would
	 * allow any number of them; the length limit (as in the hosted
	 * registry the pattern comes from) keeps names within the 63
	 * characters every reader's buffer holds. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c > 127 || (!isalnum(c) && c != '-'))
			return false;
	}
	return true;
}
