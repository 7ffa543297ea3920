/* replay.c: a main() for the libFuzzer harnesses in builds without
 * libFuzzer. It feeds each file named on the command line (or each file of
 * a directory named there) to LLVMFuzzerTestOneInput once, so that `make
 * check` builds every harness against the engine's current interfaces and
 * replays its seed corpus: a harness that no longer compiles, or an input
 * that once crashed, fails the ordinary test suite and not only the
 * clang-only fuzz run. Exit status: 0 all inputs ran, 2 an input could
 * not be read. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
			}
			buf = bigger;
		}
	}
	int bad = ferror(f) || !buf;
	fclose(f);
	if (bad) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int replay(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && rc == 0) {
			size_t need = strlen(path) + strlen(names[i]->d_name) + 2;
			char *child = malloc(need);
			if (!child)
				rc = -1;
			else {
				snprintf(child, need, "%s/%s", path, names[i]->d_name);
				rc = replay(child, count);
				free(child);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	size_t count = 0;
	for (int i = 1; i < argc; i++)
		if (replay(argv[i], &count) < 0)
			return 2;
	printf("%s: %zu inputs replayed\n", argv[0], count);
	return 0;
}
