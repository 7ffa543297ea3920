/* fuzz_settings: libFuzzer harness for the pipeline settings parser. The
 * whole input is merged as a pipeline JSON file; independently, each line
 * is applied as a `--set KEY=VALUE` assignment. Settings that validate must
 * survive the round trip through settings_to_json unchanged, since that
 * text is what the registry keeps as pipeline.json and reloads later. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct settings *s)
{
	struct ft_err err;
	if (settings_validate(s, &err) < 0)
		return;
	char *a = settings_to_json(s);
	struct settings t;
	settings_init(&t);
	if (settings_load_json(&t, a, "round-trip.json", &err) < 0)
		abort();   /* the resolved settings must reload */
	char *b = settings_to_json(&t);
	if (strcmp(a, b) != 0)
		abort();   /* and reload to the same settings */
	struct settings c;
	settings_copy(&c, &t);
	settings_free(&c);
	free(a);
	free(b);
	settings_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	struct ft_err err;
	struct settings s;
	settings_init(&s);
	if (settings_load_json(&s, text, "fuzz.json", &err) == 0)
		round_trip(&s);
	else if (err.msg[0] == '\0')
		abort();
	settings_free(&s);

	settings_init(&s);
	char *save = NULL;
	int lines = 0;
	for (char *line = strtok_r(text, "\n", &save); line && lines < 64;
	     line = strtok_r(NULL, "\n", &save), lines++)
		if (settings_set(&s, line, &err) < 0 && err.msg[0] == '\0')
			abort();
	round_trip(&s);
	settings_free(&s);
	free(text);
	return 0;
}
