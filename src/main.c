/* main: dispatch to a verb, or open the workbench. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tui.h"
#include "util.h"

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "describe", cli_describe, "describe FILE.csv [--target COL] [--json]   column types, missing, stats, class balance" },
	{ "run", cli_run, "run [--pipeline P.json] [--set KEY=VALUE]... FILE.csv   the whole pipeline, headless" },
	{ "predict", cli_predict, "predict GROUP/VERSION FILE.csv [-o OUT.csv] [--explain]   score raw rows" },
	{ "registry", cli_registry, "registry list|show|approve|reject|diff|verify ...   the model registry" },
	{ "export", cli_export, "export MODEL --format sql|dot|json [-o FILE]   the model outside fraudtree" },
	{ "drift", cli_drift, "drift MODEL FILE.csv [--json]   is FILE still like the training data? (PSI)" },
	{ "gen", cli_gen, "gen --rows N [--seed S] [--fraud-rate R]   synthetic transactions CSV on stdout" },
};

static void usage(FILE *out)
{
	fputs("Usage: fraudtree [FILE.csv] [--pipeline P.json] [--registry DIR] [--target COL]\n"
	      "                 [--set KEY=VALUE]... [--delimiter C] [--na-values LIST]\n"
	      "       fraudtree VERB [OPTIONS]\n\n"
	      "Without a verb, opens the workbench on FILE.csv (default: the bundled sample).\n\n"
	      "Verbs:\n", out);
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(out, "  %s\n", verbs[i].summary);
	fputs("\nCommon options: --registry DIR, --delimiter C, --na-values LIST,\n"
	      "  --help, --version.  Exit status: 0 success, 1 gate failed (run), 2 error.\n"
	      "See fraudtree(1), fraudtree-pipeline(5), fraudtree-registry(5).\n", out);
}

/* A report lost on a full disk or a closed pipe is an error, whatever the
 * verb said: the caller must not believe output it never got. */
static int finish_output(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	return cli_errorf("standard output: %s", errno ? strerror(errno) : "write error");
}

/* Ctrl-C, kill or a lost terminal in a verb: the output files being
 * written are temporaries until their rename, so removing them leaves
 * every OUT as it was. Then the signal ends the process as usual. */
static void on_fatal(int sig)
{
	out_remove_temporaries();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A closed pipe or a file size limit is a write error with a message and
 * exit status 2 (write(2) returns EPIPE or EFBIG), never a silent death by
 * SIGPIPE or SIGXFSZ that leaves half-done work behind. */
static void setup_signals(bool verb)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	if (!verb)
		return;   /* the workbench owns its terminal's signals (ui/term.c) */
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
		/* A signal ignored on entry (nohup, a background job of a
		 * script) stays ignored, as the shell that set it meant. */
		struct sigaction sa, old;
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal;
		sigemptyset(&sa.sa_mask);
		sigaction(fatal[i], &sa, NULL);
	}
}

/* A verb is one batch of work that ends with the process, and on ten
 * million rows its stages allocate and free buffers of tens of megabytes
 * many times over. By default glibc gives each buffer above 32 MB its own
 * mapping, returned on free, so every such buffer is faulted in and zeroed
 * by the kernel afresh; at a million rows the same buffers are reused from
 * the heap. Keeping freed memory in the heap makes the cost per row the
 * same at both sizes (measured: 8% less processor time on ten million
 * rows, the same peak). The workbench, which lives on between datasets,
 * keeps the default and gives memory back. */
static void tune_allocator_for_batch(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

int main(int argc, char **argv)
{
	/* Reports go out in one write at the end, so a write error is seen
	 * with its real cause by finish_output. */
	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc >= 2)
		for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
			if (!strcmp(argv[1], verbs[i].name)) {
				setup_signals(true);
				tune_allocator_for_batch();
				return finish_output(verbs[i].fn(argc - 1, argv + 1));
			}
	setup_signals(false);
	/* The workbench's own help and version, wherever they stand
	 * (`fraudtree data.csv --help` too). */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return finish_output(EXIT_OK);
		}
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("fraudtree %s\n", PACKAGE_VERSION);
			return finish_output(EXIT_OK);
		}
	}
	return tui_main(argc, argv);
}
