/* csv_count: the floor for loading a CSV: one single-threaded libcsv pass
 * over the file that counts rows and fields and converts nothing. The
 * benchmark compares fraudtree's typed load against it. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

struct counts {
	unsigned long long rows, fields;
};

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((struct counts *)data)->fields++;
}

static void on_row(int c, void *data)
{
	(void)c;
	((struct counts *)data)->rows++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: csv_count FILE.csv\n", stderr);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "csv_count: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	struct csv_parser p;
	struct counts n = { 0, 0 };
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return 2;
	static char buf[1 << 20];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		if (csv_parse(&p, buf, got, on_field, on_row, &n) != got) {
			fprintf(stderr, "csv_count: %s: %s\n", argv[1],
				csv_strerror(csv_error(&p)));
			return 2;
		}
	}
	csv_fini(&p, on_field, on_row, &n);
	csv_free(&p);
	fclose(f);
	printf("%llu rows, %llu fields\n", n.rows, n.fields);
	return 0;
}
