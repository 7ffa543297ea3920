/* scr_registry: the Registry screen. The gate of the current model (every
 * condition, its value and why) and registering it; the registry's groups
 * and versions with damaged ones shown as such; the selected version's
 * details and audit history; the differences between two versions;
 * approving and rejecting with a reason.
 *
 * Actions run through the command table (register, approve, reject), so a
 * key here and a typed command do exactly the same thing. The listing is
 * re-read whenever the registry changes on disk (any group's audit log or
 * directory, or the root itself), including changes made by another
 * process; a reader never trusts what it finds (registry.h validates).
 *
 * Why one file: one screen's state (groups, versions, details, diff, card,
 * drift) shared by its key handler and drawing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "prompt.h"
#include "registry.h"
#include "screen.h"
#include "sha256.h"
#include "term.h"
#include "util.h"
#include "view.h"
#include "vm_eval.h"
#include "vm_registry.h"
#include "vm_tree.h"


struct reg_row {
	size_t group;
	int version;          /* index into the group's versions; -1: the group line */
};

enum reg_pane { PANE_DETAILS, PANE_DIFF };

struct reg_state {
	struct registry_group *groups; size_t ngroups;
	struct registry_version **versions;   /* per group */
	size_t *nversions;
	struct reg_row *rows; size_t nrows;
	char list_error[sizeof ((struct ft_err *)0)->msg];
	uint64_t fingerprint;
	bool loaded;
	int shown_registration;               /* a->registry_version last selected */
	size_t sel, top;

	enum reg_pane pane;
	char **lines; size_t nlines;
	size_t scroll;
	int pane_page;
	size_t lines_for;                     /* row the details describe; SIZE_MAX: stale */

	bool marked;
	char mark_group[REGISTRY_GROUP_MAX + 1];
	int mark_version;

	/* The version an open approve/reject prompt is about. */
	char action_ref[REGISTRY_GROUP_MAX + 16];
	bool action_approve;

	/* The read-only view of one version (Enter): every line of it, its
	 * scroll position and the last `/` text. */
	bool viewing;
	char **view; size_t nview;
	char **rows_w; size_t nrows_w;        /* view wrapped at wrap_w columns */
	int wrap_w;
	size_t view_top;
	int view_page;
	char view_title[REGISTRY_GROUP_MAX + 64];
	char view_find[128];
	char find[128];                       /* the last `/` text of the list */
	/* Per view line and per wrapped row: how it is drawn (ROLE_NORMAL
	 * lets the line's own text decide). */
	enum term_role *view_role, *rows_w_role;
	unsigned long report_seen;            /* a->report.seq last opened */
};

static const char *root_of(const struct app *a)
{
	return a->registry_root ? a->registry_root : "registry";
}


/* Changes to the registry touch the root (new group), a group directory
 * (new version renamed in) or its audit log (every event): their sizes and
 * times say whether the listing is stale. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static uint64_t stat_mix(uint64_t h, const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return mix(h, 1);
	h = mix(h, (uint64_t)st.st_size);
	h = mix(h, (uint64_t)st.st_mtim.tv_sec);
	return mix(h, (uint64_t)st.st_mtim.tv_nsec);
}

static uint64_t fingerprint(const struct app *a, const struct reg_state *s)
{
	uint64_t h = stat_mix(0xcbf29ce484222325ULL, root_of(a));
	for (size_t g = 0; g < s->ngroups; g++) {
		char *dir = xasprintf("%s/%s", root_of(a), s->groups[g].name);
		char *audit = xasprintf("%s/audit.jsonl", dir);
		h = stat_mix(stat_mix(h, dir), audit);
		free(audit);
		free(dir);
	}
	return h;
}

static void free_lines(struct reg_state *s)
{
	vm_lines_free(s->lines, s->nlines);
	s->lines = NULL;
	s->nlines = 0;
	s->scroll = 0;
	s->lines_for = SIZE_MAX;
}

static void free_listing(struct reg_state *s)
{
	for (size_t g = 0; g < s->ngroups; g++)
		registry_versions_free(s->versions[g], s->nversions[g]);
	registry_groups_free(s->groups, s->ngroups);
	free(s->versions);
	free(s->nversions);
	free(s->rows);
	s->groups = NULL;
	s->versions = NULL;
	s->nversions = NULL;
	s->rows = NULL;
	s->ngroups = s->nrows = 0;
	s->list_error[0] = '\0';
}

static void row_ref(const struct reg_state *s, size_t i, char *buf, size_t size)
{
	const struct reg_row *r = &s->rows[i];
	if (r->version < 0)
		snprintf(buf, size, "%s", s->groups[r->group].name);
	else
		snprintf(buf, size, "%s/%d", s->groups[r->group].name,
			 s->versions[r->group][r->version].number);
}

static void load(struct app *a, struct reg_state *s)
{
	char keep[REGISTRY_GROUP_MAX + 16] = "";
	struct ft_err err;

	if (s->loaded && s->sel < s->nrows)
		row_ref(s, s->sel, keep, sizeof keep);
	bool first = !s->loaded;
	free_listing(s);
	free_lines(s);
	s->pane = PANE_DETAILS;     /* a comparison may name versions that changed */
	s->loaded = true;
	ft_err_clear(&err);
	if (registry_list_groups(root_of(a), &s->groups, &s->ngroups, &err)) {
		snprintf(s->list_error, sizeof s->list_error, "%s", err.msg);
		s->groups = NULL;
		s->ngroups = 0;
	}
	s->versions = xcalloc(s->ngroups ? s->ngroups : 1, sizeof *s->versions);
	s->nversions = xcalloc(s->ngroups ? s->ngroups : 1, sizeof *s->nversions);
	size_t cap = s->ngroups;
	for (size_t g = 0; g < s->ngroups; g++) {
		if (registry_list_versions(root_of(a), s->groups[g].name, &s->versions[g],
					   &s->nversions[g], &err)) {
			s->versions[g] = NULL;
			s->nversions[g] = 0;
			if (!s->list_error[0])
				snprintf(s->list_error, sizeof s->list_error, "%s", err.msg);
		}
		cap += s->nversions[g];
	}
	s->rows = xcalloc(cap ? cap : 1, sizeof *s->rows);
	for (size_t g = 0; g < s->ngroups; g++) {
		s->rows[s->nrows++] = (struct reg_row){ g, -1 };
		for (size_t v = 0; v < s->nversions[g]; v++)
			s->rows[s->nrows++] = (struct reg_row){ g, (int)v };
	}
	s->fingerprint = fingerprint(a, s);
	/* Keep the selection on the same version; a first look starts on the
	 * newest version of the group this session registers into. */
	s->sel = s->nrows ? s->nrows - 1 : 0;
	for (size_t i = 0; i < s->nrows; i++) {
		char ref[REGISTRY_GROUP_MAX + 16];
		row_ref(s, i, ref, sizeof ref);
		if (!first && !strcmp(ref, keep)) {
			s->sel = i;
			break;
		}
		if (first && s->rows[i].version >= 0 && !strcmp(s->groups[s->rows[i].group].name, app_group(a)))
			s->sel = i;
	}
}

static struct reg_state *get_state(struct app *a)
{
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->lines_for = SIZE_MAX;
		a->screen_state[SCR_REGISTRY] = s;
	}
	/* Registration finishes in the background: once it has, show the
	 * new version as a first look would. */
	if (a->registry_version > 0 && a->registry_version != s->shown_registration) {
		s->shown_registration = a->registry_version;
		s->loaded = false;
	}
	if (!s->loaded || fingerprint(a, s) != s->fingerprint)
		load(a, s);
	return s;
}

static void open_report(struct app *a, struct reg_state *s);

/* How the version's gate and threshold differ from the group's policy and
 * the defaults (registry_version_flags), as `registry show` prints them,
 * under the version's title line. */
static void add_flag_lines(struct reg_state *s, const char *root, const char *group,
			   int version)
{
	char **flags;
	struct ft_err err;
	ft_err_clear(&err);
	size_t n = registry_version_flags(root, group, version, &flags, &err);
	size_t extra = n == (size_t)-1 ? 1 : n + 1;
	/* right under the version's title line, where an approver looks first */
	size_t at = s->nlines ? 1 : 0;
	s->lines = xreallocarray(s->lines, s->nlines + extra, sizeof *s->lines);
	memmove(s->lines + at + extra, s->lines + at, (s->nlines - at) * sizeof *s->lines);
	s->nlines += extra;
	if (n == (size_t)-1) {
		s->lines[at] = xasprintf("flags: cannot be read: %s", err.msg);
		return;
	}
	s->lines[at] = xstrdup(n ? "flags (gate and threshold against the policy and the "
			       "defaults)" : "flags: none (gate and threshold meet the policy "
			       "and the defaults)");
	for (size_t i = 0; i < n; i++) {
		s->lines[at + 1 + i] = xasprintf("  ! %s", flags[i]);
		free(flags[i]);
	}
	free(flags);
}

static void build_group_lines(struct reg_state *s, const struct registry_group *g)
{
	s->lines = xcalloc(4, sizeof *s->lines);
	s->lines[s->nlines++] = xasprintf("group %s", g->name);
	s->lines[s->nlines++] = xasprintf("created %s  %s", g->created ? g->created : "?",
					  g->description && *g->description ? g->description : "");
	s->lines[s->nlines++] = xasprintf("%zu versions (%zu damaged), latest intact %d, latest approved %d",
					  g->nversions, g->ndamaged, g->latest, g->approved);
	if (g->problem)
		s->lines[s->nlines++] = xasprintf("DAMAGED: %s", g->problem);
}

static void refresh_details(struct app *a, struct reg_state *s)
{
	if (s->pane != PANE_DETAILS || s->lines_for == s->sel || s->sel >= s->nrows)
		return;
	free_lines(s);
	const struct reg_row *r = &s->rows[s->sel];
	const struct registry_group *g = &s->groups[r->group];
	if (r->version < 0) {
		build_group_lines(s, g);
	} else {
		const struct registry_version *v = &s->versions[r->group][r->version];
		struct registry_details d;
		struct ft_err err;
		ft_err_clear(&err);
		if (v->damaged) {
			s->lines = xcalloc(2, sizeof *s->lines);
			s->lines[s->nlines++] = xasprintf("%s/%d  DAMAGED", g->name, v->number);
			s->lines[s->nlines++] = xstrdup(v->problem ? v->problem : "unreadable");
		} else if (registry_show(root_of(a), g->name, v->number, &d, &err)) {
			s->lines = xcalloc(2, sizeof *s->lines);
			s->lines[s->nlines++] = xasprintf("%s/%d  DAMAGED", g->name, v->number);
			s->lines[s->nlines++] = xstrdup(err.msg);
		} else {
			s->lines = vm_registry_details(&d, &s->nlines);
			registry_details_free(&d);
			add_flag_lines(s, root_of(a), g->name, v->number);
		}
	}
	s->lines_for = s->sel;
}

/* ---- drawing ---------------------------------------------------------- */

static int draw_gate(WINDOW *win, int y, int w, int hmax, struct app *a)
{
	const struct pipeline_result *r = a->result;
	int used = 0;
	if (hmax < 1)
		return 0;
	if (!r) {
		term_put(win, y, 0, w,
			 a->frame ? "No model trained yet. Press 3 to train a model; R then registers it here."
			 : "No data loaded yet. Press 1 to open a CSV file, then 3 to train a model.",
			 term_attr(ROLE_NORMAL), false);
		return 1;
	}
	const struct gate_result *g = &r->gate;
	if (a->registry_version > 0)
		term_printf(win, y, 0, w, term_attr(ROLE_GOOD) | A_BOLD,
			    "Registered %s/%d (the current model)   Gate: %s", app_group(a),
			    a->registry_version, g->pass ? "PASS" : "FAIL");
	else if (g->pass)
		term_printf(win, y, 0, w, term_attr(ROLE_GOOD) | A_BOLD,
			    "Gate: PASS  (current model, threshold %s)  R registers it",
			    view_num(r->test_metrics.threshold).s);
	else
		term_printf(win, y, 0, w, term_attr(ROLE_BAD) | A_BOLD,
			    "Gate: FAIL  (current model, threshold %s)  it cannot be registered",
			    view_num(r->test_metrics.threshold).s);
	used++;
	for (size_t i = 0; i < g->nchecks && used < hmax; i++, used++) {
		const struct gate_check *c = &g->checks[i];
		char cond[96], line[400];
		vm_gate_condition(c, cond, sizeof cond);
		snprintf(line, sizeof line, "  %s  %-18s %s", c->pass ? "pass" : "FAIL", cond, c->why);
		term_put(win, y + used, 0, w, line, term_attr(c->pass ? ROLE_NORMAL : ROLE_BAD), false);
	}
	return used;
}

static attr_t status_attr(const struct registry_version *v)
{
	if (v->damaged)
		return term_attr(ROLE_BAD);
	switch (v->m.status) {
	case REG_APPROVED: return term_attr(ROLE_GOOD);
	case REG_REJECTED: return term_attr(ROLE_BAD);
	case REG_PENDING: return term_attr(ROLE_WARN);
	case REG_STATUS_COUNT: break;
	}
	return term_attr(ROLE_NORMAL);
}

static void draw_row(WINDOW *win, int y, int w, const struct reg_state *s, size_t i)
{
	const struct reg_row *r = &s->rows[i];
	const struct registry_group *g = &s->groups[r->group];
	char line[512];
	attr_t at;

	if (r->version < 0) {
		snprintf(line, sizeof line, "%s  (%zu version%s%s%s)", g->name, g->nversions,
			 g->nversions == 1 ? "" : "s",
			 g->ndamaged ? ", some damaged" : "", g->problem ? "; group files damaged" : "");
		at = term_attr(g->problem ? ROLE_BAD : ROLE_HEADER);
	} else {
		const struct registry_version *v = &s->versions[r->group][r->version];
		char rest[400];
		bool marked = s->marked && v->number == s->mark_version &&
			!strcmp(g->name, s->mark_group);
		vm_version_line(v, rest, sizeof rest);
		snprintf(line, sizeof line, "  %c%5d  %s", marked ? '*' : ' ', v->number, rest);
		at = status_attr(v);
	}
	if (i == s->sel)
		at = term_attr(ROLE_SELECTED);
	term_put(win, y, 0, w, line, at, false);
}

static void draw_view(WINDOW *win, int h, int w, struct reg_state *s);

static void draw(struct app *a, WINDOW *win)
{
	int h, w;
	getmaxyx(win, h, w);
	struct reg_state *s = get_state(a);
	if (a->report.seq != s->report_seen && a->report.text)
		open_report(a, s);
	if (s->viewing) {
		draw_view(win, h, w, s);
		return;
	}
	int y = draw_gate(win, 0, w, h / 3, a) + 1;

	if (s->list_error[0] && !s->nrows) {
		term_printf(win, y, 0, w, term_attr(ROLE_BAD), "Registry %s: %s", root_of(a), s->list_error);
		return;
	}
	if (!s->nrows) {
		term_printf(win, y, 0, w, term_attr(ROLE_HEADER), "No registry yet at %s.", root_of(a));
		term_put(win, y + 1, 0, w,
			 "Train a model (3) whose gate passes, then press R here to register it.",
			 term_attr(ROLE_NORMAL), false);
		return;
	}
	term_printf(win, y++, 0, w, term_attr(ROLE_HEADER) | A_BOLD,
		    "Registry %s: %zu group%s", root_of(a), s->ngroups, s->ngroups == 1 ? "" : "s");
	if (s->list_error[0])
		term_printf(win, y++, 0, w, term_attr(ROLE_BAD), "%s", s->list_error);
	term_put(win, y++, 0, w, "  VERSION  STATUS    CREATED (UTC)     ACCURACY RECALL  DATA",
		 term_attr(ROLE_HEADER), false);
	int left = h - y;
	int list_h = (int)s->nrows;
	int max_list = left / 2 > 3 ? left / 2 : 3;
	if (list_h > max_list)
		list_h = max_list;
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + (size_t)list_h)
		s->top = s->sel - (size_t)list_h + 1;
	for (int i = 0; i < list_h && s->top + (size_t)i < s->nrows; i++)
		draw_row(win, y + i, w, s, s->top + (size_t)i);
	y += list_h + 1;

	refresh_details(a, s);
	int pane_h = h - y;
	s->pane_page = pane_h;
	if (pane_h < 1)
		return;
	if (s->scroll + (size_t)pane_h > s->nlines)
		s->scroll = s->nlines > (size_t)pane_h ? s->nlines - (size_t)pane_h : 0;
	for (int i = 0; i < pane_h && s->scroll + (size_t)i < s->nlines; i++) {
		const char *line = s->lines[s->scroll + (size_t)i];
		attr_t at = term_attr(ROLE_NORMAL);
		if (i == 0 && s->scroll == 0)
			at = term_attr(ROLE_HEADER) | A_BOLD;
		else if (strstr(line, "DAMAGED") || !strncmp(line, "  FAIL", 6))
			at = term_attr(ROLE_BAD);
		term_put(win, y + i, 0, w, line, at, false);
	}
}

/* ---- the read-only view of a version ---------------------------------- */

static const struct registry_version *selected_version(const struct reg_state *s,
						       const char **group);

static void wrapped_free(struct reg_state *s)
{
	for (size_t i = 0; i < s->nrows_w; i++)
		free(s->rows_w[i]);
	free(s->rows_w);
	free(s->rows_w_role);
	s->rows_w = NULL;
	s->rows_w_role = NULL;
	s->nrows_w = 0;
	s->wrap_w = 0;
}

static void view_free(struct reg_state *s)
{
	for (size_t i = 0; i < s->nview; i++)
		free(s->view[i]);
	free(s->view);
	free(s->view_role);
	s->view = NULL;
	s->view_role = NULL;
	s->nview = 0;
	s->viewing = false;
	wrapped_free(s);
}

static void wrapped_add(struct reg_state *s, char *row, enum term_role role)
{
	s->rows_w = xreallocarray(s->rows_w, s->nrows_w + 1, sizeof *s->rows_w);
	s->rows_w_role = xreallocarray(s->rows_w_role, s->nrows_w + 1, sizeof *s->rows_w_role);
	s->rows_w_role[s->nrows_w] = role;
	s->rows_w[s->nrows_w++] = row;
}

/* The view's lines as rows of at most w columns: a long line (a rule, a
 * list of features) goes on under itself, indented, never cut. */
static void wrap_view(struct reg_state *s, int w)
{
	if (s->wrap_w == w)
		return;
	wrapped_free(s);
	s->wrap_w = w;
	for (size_t i = 0; i < s->nview; i++) {
		const char *p = s->view[i];
		bool head = p[0] == '#', first = true;
		enum term_role role = s->view_role[i];
		if (!*p || head) {
			wrapped_add(s, xstrdup(p), role);
			continue;
		}
		while (*p) {
			int indent = first ? 0 : 6;
			int room = w - indent > 10 ? w - indent : 10;
			size_t fit = view_text_fit(p, room, NULL), cut = fit;
			if (p[fit]) {
				while (cut > 0 && p[cut] != ' ')
					cut--;
				if (!cut)
					cut = fit;
			}
			wrapped_add(s, xasprintf("%*s%.*s", indent, "", (int)cut, p), role);
			p += cut;
			while (*p == ' ')
				p++;
			first = false;
		}
	}
}

static void view_add(struct reg_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void view_add_line(struct reg_state *s, char *line, enum term_role role)
{
	s->view = xreallocarray(s->view, s->nview + 1, sizeof *s->view);
	s->view_role = xreallocarray(s->view_role, s->nview + 1, sizeof *s->view_role);
	s->view_role[s->nview] = role;
	s->view[s->nview++] = line;
}

static void view_add(struct reg_state *s, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	view_add_line(s, xstrdup(buf), ROLE_NORMAL);
}

/* evaluation.json of a version, read without following links and checked
 * against the sha256 its manifest records; NULL (and why) otherwise.
 * Caller frees. */
static char *read_evaluation(const char *root, const struct registry_details *d,
			     char *why, size_t size)
{
	const char *want = NULL;
	for (size_t i = 0; i < d->v.m.nfiles; i++)
		if (!strcmp(d->v.m.files[i].name, "evaluation.json"))
			want = d->v.m.files[i].sha256;
	if (!want) {
		snprintf(why, size, "the manifest lists no evaluation.json");
		return NULL;
	}
	char ver[16];
	snprintf(ver, sizeof ver, "%d", d->v.number);
	int dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int gdir = dir < 0 ? -1 : openat(dir, d->v.m.group, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int vdir = gdir < 0 ? -1 : openat(gdir, ver, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = vdir < 0 ? -1 : openat(vdir, "evaluation.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int saved = errno;
	if (vdir >= 0)
		close(vdir);
	if (gdir >= 0)
		close(gdir);
	if (dir >= 0)
		close(dir);
	if (fd < 0) {
		snprintf(why, size, "evaluation.json: %s", strerror(saved));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 256L * 1024 * 1024) {
		close(fd);
		snprintf(why, size, "evaluation.json: not a regular file of a sane size");
		return NULL;
	}
	char *text = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	char hex[65];
	sha256_hex(text, got, hex);
	if (got != (size_t)st.st_size || strcmp(hex, want)) {
		free(text);
		snprintf(why, size, "evaluation.json does not match its manifest checksum");
		return NULL;
	}
	return text;
}

/* A curve of evaluation.json ("roc": fpr/tpr, "pr": recall/precision). */
static bool curve_of(const cJSON *curves, const char *name, const char *xn, const char *yn,
		     struct curve *c)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(curves, name);
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, xn);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(o, yn);
	int n = cJSON_GetArraySize(x);
	if (!cJSON_IsArray(x) || !cJSON_IsArray(y) || n < 2 || cJSON_GetArraySize(y) != n)
		return false;
	c->n = (size_t)n;
	c->x = xcalloc(c->n, sizeof *c->x);
	c->y = xcalloc(c->n, sizeof *c->y);
	c->threshold = NULL;
	for (int i = 0; i < n; i++) {
		c->x[i] = cJSON_GetArrayItem(x, i)->valuedouble;
		c->y[i] = cJSON_GetArrayItem(y, i)->valuedouble;
	}
	return true;
}

static void view_curve(struct reg_state *s, const struct curve *c, const char *title)
{
	enum { PW = 40, PH = 8 };
	struct vm_plot p;
	vm_plot_curve(c, PW, PH, NAN, NAN, &p);
	view_add(s, "  %s", title);
	for (int row = 0; row < PH; row++) {
		struct strbuf sb = { 0 };
		sb_puts(&sb, row == 0 ? "  1 |" : row == PH - 1 ? "  0 |" : "    |");
		for (int col = 0; col < PW; col++) {
			uint8_t m = p.dots[row * PW + col];
			if (term_utf8()) {
				char u[4];
				vm_braille_utf8(m, u);
				sb_puts(&sb, u);
			} else {
				char ch = vm_plot_ascii(m);
				sb_append(&sb, &ch, 1);
			}
		}
		view_add(s, "%s", sb.data);
		sb_free(&sb);
	}
	view_add(s, "     0%*s1", PW - 1, "");
	vm_plot_free(&p);
}

/* Everything an approver decides on, read from the registry itself: the
 * details (lineage, metrics, confusion matrix, gate, audit trail), the
 * curves, the resolved settings, the rules and the tree. */
static int open_view(struct app *a, struct reg_state *s)
{
	const char *group;
	const struct registry_version *v = selected_version(s, &group);
	if (!v) {
		app_message(a, true, "select a version first (Up/Down)");
		return KEY_HANDLED | KEY_REDRAW;
	}
	struct registry_details d;
	struct ft_err err;
	ft_err_clear(&err);
	if (v->damaged || registry_show(root_of(a), group, v->number, &d, &err)) {
		app_message(a, true, "%s/%d is damaged: %s", group, v->number,
			    v->damaged && v->problem ? v->problem : err.msg);
		return KEY_HANDLED | KEY_REDRAW;
	}
	view_free(s);
	snprintf(s->view_title, sizeof s->view_title, "%s/%d", group, v->number);
	size_t n;
	char **lines = vm_registry_details(&d, &n);
	for (size_t i = 0; i < n; i++)
		view_add(s, "%s", lines[i]);
	vm_lines_free(lines, n);

	view_add(s, "%s", "");
	view_add(s, "#Curves (test split)");
	char why[256];
	char *eval = read_evaluation(root_of(a), &d, why, sizeof why);
	cJSON *root = eval ? cJSON_Parse(eval) : NULL;
	const cJSON *curves = cJSON_GetObjectItemCaseSensitive(root, "curves");
	struct curve roc = { 0 }, pr = { 0 };
	if (curve_of(curves, "roc", "fpr", "tpr", &roc))
		view_curve(s, &roc, "ROC: true positive rate (up) by false positive rate (across)");
	else
		view_add(s, "  no ROC curve: %s", eval ? "evaluation.json holds none" : why);
	if (curve_of(curves, "pr", "recall", "precision", &pr))
		view_curve(s, &pr, "precision (up) by recall (across)");
	curve_free(&roc);
	curve_free(&pr);
	cJSON_Delete(root);
	free(eval);

	view_add(s, "%s", "");
	view_add(s, "#Resolved settings (pipeline.json)");
	for (size_t i = 0; i < d.nsettings; i++)
		view_add(s, "  %s = %s", d.settings[i].key, d.settings[i].value);

	if (d.model && d.model->tree) {
		char **rules = vm_tree_rules(d.model->tree, d.model->recipe, "fraud", "legit",
					     d.model->threshold, &n);
		view_add(s, "%s", "");
		view_add(s, "#Rules at threshold %s (%zu leaves)", view_num(d.model->threshold).s, n);
		for (size_t i = 0; i < n; i++)
			view_add(s, "  %s", rules[i]);
		vm_lines_free(rules, n);
		char *tree = vm_tree_text(d.model->tree, d.model->recipe, "fraud", "legit",
					  d.model->threshold);
		view_add(s, "%s", "");
		view_add(s, "#Tree");
		for (char *line = tree, *nl; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl) {
				view_add(s, "  %s", line);
				break;
			}
			view_add(s, "  %.*s", (int)(nl - line), line);
		}
		free(tree);
	}
	registry_details_free(&d);
	s->viewing = true;
	s->view_top = 0;
	app_message(a, false, "%s, read-only: Up/Down PgUp/PgDn Home/End scroll, / finds, Esc closes",
		    s->view_title);
	return KEY_HANDLED | KEY_REDRAW;
}

static void draw_view(WINDOW *win, int h, int w, struct reg_state *s)
{
	term_fill(win, 0, 0, term_attr(ROLE_HEADER) | A_REVERSE);
	term_printf(win, 0, 0, w, term_attr(ROLE_HEADER) | A_REVERSE,
		    " %s (read-only: nothing here changes the registry; Esc closes)", s->view_title);
	int rows = h - 1;
	s->view_page = rows;
	wrap_view(s, w);
	if (s->nrows_w > (size_t)rows && s->view_top > s->nrows_w - (size_t)rows)
		s->view_top = s->nrows_w - (size_t)rows;
	if (s->nrows_w <= (size_t)rows)
		s->view_top = 0;
	for (int i = 0; i < rows && s->view_top + (size_t)i < s->nrows_w; i++) {
		const char *line = s->rows_w[s->view_top + (size_t)i];
		enum term_role role = s->rows_w_role[s->view_top + (size_t)i];
		bool head = line[0] == '#' && role == ROLE_NORMAL;
		attr_t at = head ? term_attr(ROLE_HEADER) | A_BOLD
			: role != ROLE_NORMAL ? term_attr(role)
			: (strstr(line, "DAMAGED") || !strncmp(line, "  FAIL", 6)) ? term_attr(ROLE_BAD)
			: term_attr(ROLE_NORMAL);
		term_put(win, 1 + i, 0, w, head ? line + 1 : line, at, false);
	}
}

static void view_find_next(struct app *a, struct reg_state *s, bool forward)
{
	if (!s->view_find[0]) {
		app_message(a, true, "nothing to find yet: / finds text in the view");
		return;
	}
	size_t n = s->nrows_w;
	for (size_t k = 1; k <= n; k++) {
		size_t i = forward ? (s->view_top + k) % n : (s->view_top + n - k) % n;
		if (strcasestr(s->rows_w[i], s->view_find)) {
			s->view_top = i;
			app_message(a, false, "line %zu of %zu: %s", i + 1, n, s->view_find);
			return;
		}
	}
	app_message(a, true, "not found: %s", s->view_find);
}

static void view_find_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (!s || !line || !*line || !s->viewing)
		return;
	snprintf(s->view_find, sizeof s->view_find, "%s", line);
	view_find_next(a, s, true);
}

/* The view takes every key: it scrolls, finds and closes; no key of the
 * Registry screen (approve, reject, register) reaches it. */
static int view_key(struct app *a, struct reg_state *s, int ch)
{
	size_t page = s->view_page > 1 ? (size_t)s->view_page - 1 : 1;
	if (screen_list_key(ch, &s->view_top, s->nrows_w, page))
		return KEY_HANDLED | KEY_REDRAW;
	switch (ch) {
	case '/':
		prompt_begin(a, PROMPT_TEXT, "find: ", NULL, view_find_done, NULL);
		break;
	case 'n': case 'N':
		view_find_next(a, s, ch == 'n');
		break;
	case 27: case 'q': case KEY_BACKSPACE: case 127:
		view_free(s);
		app_message(a, false, "back to the registry");
		break;
	default:
		break;
	}
	return KEY_HANDLED | KEY_REDRAW;
}

static bool modal(struct app *a)
{
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	return s && s->viewing;
}

/* ---- keys ------------------------------------------------------------- */

static const struct registry_version *selected_version(const struct reg_state *s,
						       const char **group)
{
	if (s->sel >= s->nrows || s->rows[s->sel].version < 0)
		return NULL;
	const struct reg_row *r = &s->rows[s->sel];
	*group = s->groups[r->group].name;
	return &s->versions[r->group][r->version];
}

struct status_change {
	char *root;
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	enum registry_status to;
	char *reason;
};

static void status_change_free(void *p)
{
	struct status_change *c = p;
	free(c->root);
	free(c->reason);
	free(c);
}

static void status_yes(struct app *a, void *ctx)
{
	struct status_change *c = ctx;
	struct ft_err err;
	if (registry_set_status(c->root, c->group, c->version, c->to, c->reason, NULL, &err)) {
		app_message(a, true, "%s", err.msg);
		return;
	}
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (s)
		s->loaded = false;
	app_message(a, false, "%s/%d is now %s", c->group, c->version,
		    registry_status_name(c->to));
}

/* A version's gate as one line: "PASS (accuracy 0.93 >= 0.85)". */
static void gate_line(const struct registry_manifest *m, char *buf, size_t size)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb, "%s", m->gate_pass ? "PASS" : "FAIL");
	for (size_t i = 0; i < m->ngate; i++) {
		char actual[32], value[32];
		fmt_double(actual, m->gate[i].actual);
		fmt_double(value, m->gate[i].value);
		sb_printf(&sb, "%s%s %s %s %s", i ? ", " : " (", m->gate[i].metric, actual,
			  m->gate[i].op, value);
	}
	if (m->ngate)
		sb_puts(&sb, ")");
	snprintf(buf, size, "%s", sb.data);
	sb_free(&sb);
}

/* Approve or reject REF ("3", "group/3", "group@latest") for reason:
 * everything is checked first, then the question shows the version, the
 * status change, the reason and the gate, and only `y` writes. */
static int ask_status_change(struct app *a, const char *ref, const char *reason_in,
			     enum registry_status to)
{
	const char *verb = to == REG_APPROVED ? "approving" : "rejecting";
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	struct ft_err err;
	char *end;
	errno = 0;
	long v = strtol(ref, &end, 10);
	if (*ref && !*end && !errno && v > 0 && v <= REGISTRY_VERSION_MAX) {
		snprintf(group, sizeof group, "%s", app_group(a));
		version = (int)v;
	} else if (registry_resolve(root_of(a), ref, group, &version, &err)) {
		app_message(a, true, "%s; nothing changed", err.msg);
		return -1;
	}
	const char *p = reason_in;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		app_message(a, true, "%s needs a reason; nothing changed", verb);
		return -1;
	}
	struct registry_details d;
	if (registry_show(root_of(a), group, version, &d, &err)) {
		app_message(a, true, "%s; nothing changed", err.msg);
		return -1;
	}
	enum registry_status from = d.v.m.status;
	char gate[512];
	gate_line(&d.v.m, gate, sizeof gate);
	registry_details_free(&d);
	if (from == to) {
		app_message(a, true, "%s/%d is already %s; nothing changed", group, version,
			    registry_status_name(to));
		return -1;
	}
	struct status_change *c = xcalloc(1, sizeof *c);
	c->root = xstrdup(root_of(a));
	snprintf(c->group, sizeof c->group, "%s", group);
	c->version = version;
	c->to = to;
	c->reason = xstrdup(p);
	app_ask(a, status_yes, c, status_change_free, "nothing changed in the registry",
		"%s %s/%d: %s -> %s, reason \"%s\", gate %s. Press y to confirm, any other key"
		" cancels", to == REG_APPROVED ? "Approve" : "Reject", group, version,
		registry_status_name(from), registry_status_name(to), p, gate);
	return 0;
}

static int cmd_status(struct app *a, int argc, char **argv)
{
	bool approve = !strcmp(argv[0], "approve");
	if (argc < 3) {
		app_message(a, true, "usage: :%s VERSION REASON", argv[0]);
		return -1;
	}
	struct strbuf sb = { 0 };
	sb_append(&sb, "", 0);
	for (int i = 2; i < argc; i++)
		sb_printf(&sb, "%s%s", i > 2 ? " " : "", argv[i]);
	int rc = ask_status_change(a, argv[1], sb.data, approve ? REG_APPROVED : REG_REJECTED);
	sb_free(&sb);
	return rc;
}

static void reason_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (!line || !s) {
		app_message(a, false, "nothing changed in the registry");
		return;
	}
	ask_status_change(a, s->action_ref, line, s->action_approve ? REG_APPROVED : REG_REJECTED);
}

static void description_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	if (!line) {
		app_message(a, false, "not registered");
		return;
	}
	if (app_can_register(a))
		return;
	app_start_register(a, app_group(a), *line ? line : NULL);
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (s)
		s->loaded = false;
}

static int start_status_change(struct app *a, struct reg_state *s, bool approve)
{
	const char *group;
	const struct registry_version *v = selected_version(s, &group);
	if (!v) {
		app_message(a, true, "select a version first (Up/Down)");
		return KEY_HANDLED | KEY_REDRAW;
	}
	if (v->damaged) {
		app_message(a, true, "%s/%d is damaged and cannot change status", group, v->number);
		return KEY_HANDLED | KEY_REDRAW;
	}
	snprintf(s->action_ref, sizeof s->action_ref, "%s/%d", group, v->number);
	s->action_approve = approve;
	char label[REGISTRY_GROUP_MAX + 48];
	snprintf(label, sizeof label, "%s %s, reason: ", approve ? "Approve" : "Reject",
		 s->action_ref);
	prompt_begin(a, PROMPT_TEXT, label, NULL, reason_done, NULL);
	return KEY_HANDLED | KEY_REDRAW;
}

static int start_register(struct app *a)
{
	/* Refusals (no model, gate failed, already registered) come before
	 * anything is asked. */
	if (app_can_register(a))
		return KEY_HANDLED | KEY_REDRAW;
	prompt_begin(a, PROMPT_TEXT, "Register the current model, description (optional): ", NULL,
		     description_done, NULL);
	return KEY_HANDLED | KEY_REDRAW;
}

static int show_diff(struct app *a, struct reg_state *s)
{
	const char *group;
	const struct registry_version *v = selected_version(s, &group);
	if (!s->marked) {
		app_message(a, true, "mark a version with m first, then press d on another");
		return KEY_HANDLED | KEY_REDRAW;
	}
	if (!v) {
		app_message(a, true, "select a version to compare with %s/%d", s->mark_group,
			    s->mark_version);
		return KEY_HANDLED | KEY_REDRAW;
	}
	struct registry_diff_item *items;
	size_t n;
	struct ft_err err;
	ft_err_clear(&err);
	if (registry_diff(root_of(a), s->mark_group, s->mark_version, group, v->number,
			  &items, &n, &err)) {
		app_message(a, true, "%s", err.msg);
		return KEY_HANDLED | KEY_REDRAW;
	}
	char an[REGISTRY_GROUP_MAX + 16], bn[REGISTRY_GROUP_MAX + 16];
	snprintf(an, sizeof an, "%s/%d", s->mark_group, s->mark_version);
	snprintf(bn, sizeof bn, "%s/%d", group, v->number);
	free_lines(s);
	s->lines = vm_registry_diff(items, n, an, bn, &s->nlines);
	registry_diff_free(items, n);
	s->pane = PANE_DIFF;
	s->lines_for = SIZE_MAX;
	app_message(a, false, "%zu differences between %s and %s (Esc: details)", n, an, bn);
	return KEY_HANDLED | KEY_REDRAW;
}

static void select_row(struct reg_state *s, size_t i)
{
	if (i >= s->nrows || i == s->sel)
		return;
	s->sel = i;
	if (s->pane == PANE_DIFF)
		s->pane = PANE_DETAILS;
	free_lines(s);
}

static int key_mark(struct app *a, int ch)
{
	(void)ch;
	struct reg_state *s = get_state(a);
	const char *group;
	const struct registry_version *v = selected_version(s, &group);
	if (!v) {
		app_message(a, true, "select a version to mark");
		return KEY_HANDLED | KEY_REDRAW;
	}
	s->marked = true;
	snprintf(s->mark_group, sizeof s->mark_group, "%s", group);
	s->mark_version = v->number;
	app_message(a, false, "marked %s/%d: select another version and press d to compare",
		    group, v->number);
	return KEY_HANDLED | KEY_REDRAW;
}

static int key_diff(struct app *a, int ch)
{
	(void)ch;
	return show_diff(a, get_state(a));
}

static int key_approve(struct app *a, int ch)
{
	(void)ch;
	return start_status_change(a, get_state(a), true);
}

static int key_reject(struct app *a, int ch)
{
	(void)ch;
	return start_status_change(a, get_state(a), false);
}

/* What a list row says, as the find matches it: the group, the version
 * number, its status, creation time, figures and description. */
static void row_text(const struct reg_state *s, size_t i, char *buf, size_t size)
{
	const struct reg_row *r = &s->rows[i];
	const struct registry_group *g = &s->groups[r->group];
	if (r->version < 0) {
		snprintf(buf, size, "%s %s", g->name, g->description ? g->description : "");
		return;
	}
	const struct registry_version *v = &s->versions[r->group][r->version];
	char rest[400];
	vm_version_line(v, rest, sizeof rest);
	snprintf(buf, size, "%s/%d %s %s %s", g->name, v->number, rest,
		 registry_status_name(v->m.status), v->m.description ? v->m.description : "");
}

static void find_next(struct app *a, struct reg_state *s, bool forward)
{
	if (!s->find[0]) {
		app_message(a, true, "nothing to find yet: / finds a group or version");
		return;
	}
	for (size_t k = 1; k <= s->nrows; k++) {
		size_t i = forward ? (s->sel + k) % s->nrows : (s->sel + s->nrows - k) % s->nrows;
		char text[1024];
		row_text(s, i, text, sizeof text);
		if (strcasestr(text, s->find)) {
			select_row(s, i);
			app_message(a, false, "row %zu of %zu: %s (n: next, N: previous)", i + 1,
				    s->nrows, s->find);
			return;
		}
	}
	app_message(a, true, "no group or version holds '%s'", s->find);
}

static void find_done(struct app *a, const char *line, void *ctx)
{
	(void)ctx;
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (!s || !line || !*line)
		return;
	snprintf(s->find, sizeof s->find, "%s", line);
	find_next(a, s, true);
}

static int key_find(struct app *a, int ch)
{
	struct reg_state *s = get_state(a);
	if (ch == '/')
		prompt_begin(a, PROMPT_TEXT, "find version: ", NULL, find_done, NULL);
	else
		find_next(a, s, ch == 'n');
	return KEY_HANDLED | KEY_REDRAW;
}

static int key_register(struct app *a, int ch)
{
	(void)ch;
	return start_register(a);
}

/* ---- the model card and drift --------------------------------------- */

/* The version a card or drift is about: the selected one, intact. */
static const struct registry_version *action_version(struct app *a, const char **group)
{
	struct reg_state *s = get_state(a);
	const struct registry_version *v = selected_version(s, group);
	if (!v) {
		app_message(a, true, "select a version on the Registry screen first (Up/Down)");
		return NULL;
	}
	if (v->damaged) {
		app_message(a, true, "%s/%d is damaged: %s", *group, v->number,
			    v->problem ? v->problem : "unreadable");
		return NULL;
	}
	return v;
}

struct card_request {
	char group[REGISTRY_GROUP_MAX + 1];
	int version;
	enum card_format format;
	char *path;
};

static void card_request_free(void *p)
{
	struct card_request *c = p;
	free(c->path);
	free(c);
}

static void card_yes(struct app *a, void *ctx)
{
	struct card_request *c = ctx;
	app_start_card(a, root_of(a), c->group, c->version, c->format, c->path);
}

/* Write the selected version's card to path (NULL: GROUP-VERSION-card.html
 * here); Markdown when the name ends in .md. Nothing is written through a
 * link or over anything but a regular file, and an existing file is
 * replaced only after y. */
static int write_card(struct app *a, const char *path)
{
	const char *group;
	const struct registry_version *v = action_version(a, &group);
	if (!v)
		return -1;
	struct card_request *c = xcalloc(1, sizeof *c);
	snprintf(c->group, sizeof c->group, "%s", group);
	c->version = v->number;
	c->path = path ? xstrdup(path) : xasprintf("%s-%d-card.html", group, v->number);
	size_t n = strlen(c->path);
	c->format = n > 3 && !strcasecmp(c->path + n - 3, ".md") ? CARD_MARKDOWN : CARD_HTML;
	struct stat st;
	if (!strcmp(c->path, "-")) {
		app_message(a, true, "card: the workbench writes the card to a file, not to"
			    " standard output; nothing written");
	} else if (!lstat(c->path, &st)) {
		if (S_ISLNK(st.st_mode))
			app_message(a, true, "%s: is a symbolic link; nothing is written through a"
				    " link", c->path);
		else if (!S_ISREG(st.st_mode))
			app_message(a, true, "%s: not a regular file; nothing written", c->path);
		else {
			app_ask(a, card_yes, c, card_request_free, "model card not written",
				"%s exists. Overwrite it with the model card of %s/%d? (y/n)",
				c->path, c->group, c->version);
			return 0;
		}
	} else if (errno != ENOENT) {
		app_message(a, true, "%s: %s; nothing written", c->path, strerror(errno));
	} else {
		int rc = app_start_card(a, root_of(a), c->group, c->version, c->format, c->path);
		card_request_free(c);
		return rc;
	}
	card_request_free(c);
	return -1;
}

static int cmd_card(struct app *a, int argc, char **argv)
{
	if (argc > 2) {
		app_message(a, true, "usage: :card [FILE]");
		return -1;
	}
	return write_card(a, argc > 1 ? argv[1] : NULL);
}

static int key_card(struct app *a, int ch)
{
	(void)ch;
	write_card(a, NULL);
	return KEY_HANDLED | KEY_REDRAW;
}

static int cmd_drift(struct app *a, int argc, char **argv)
{
	if (argc != 2) {
		app_message(a, true, "usage: :drift FILE.csv");
		return -1;
	}
	/* A FIFO or a device would hold the worker in open() for good: only
	 * a regular file (or a link to one) is read. */
	struct stat st;
	if (stat(argv[1], &st)) {
		app_message(a, true, "%s: %s", argv[1], strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		app_message(a, true, "%s: not a regular file; drift reads a CSV file", argv[1]);
		return -1;
	}
	const char *group;
	const struct registry_version *v = action_version(a, &group);
	if (!v)
		return -1;
	return app_start_drift(a, root_of(a), group, v->number, argv[1]);
}

/* The last drift table, read-only in the version view: one line a column,
 * those to act on and to watch coloured as such. */
static void open_report(struct app *a, struct reg_state *s)
{
	s->report_seen = a->report.seq;
	view_free(s);
	snprintf(s->view_title, sizeof s->view_title, "%s", a->report.title);
	bool table = false;
	for (const char *p = a->report.text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xasprintf("  %.*s", (int)len, p);
		enum term_role role = ROLE_NORMAL;
		if (!strncmp(p, "column ", 7)) {
			role = ROLE_HEADER;
			table = true;
		} else if (!len) {
			table = false;
		} else if (table && strstr(line, "  act")) {
			role = ROLE_BAD;
		} else if (table && strstr(line, "  watch")) {
			role = ROLE_WARN;
		} else if (!strncmp(p, "drift: act", 10) || !strncmp(p, "missing columns", 15) ||
			   !strncmp(p, "type changed", 12)) {
			role = ROLE_BAD;
		} else if (!strncmp(p, "drift: watch", 12)) {
			role = ROLE_WARN;
		} else if (!strncmp(p, "drift: stable", 13)) {
			role = ROLE_GOOD;
		}
		view_add_line(s, line, role);
		p += len + (nl != NULL);
	}
	s->viewing = true;
	s->view_top = 0;
}

static const struct key_binding keys[] = {
	{ { 0 }, "Up/Down j/k", "select a group or version (Home/End g/G: first, last)", KB_VIEW, NULL, NULL },
	{ { 0 }, "PgUp/PgDn", "scroll the details", KB_VIEW, NULL, NULL },
	{ { 'R' }, "R", "register the current model (only when its gate passes)", KB_REGISTRY, "register", key_register },
	{ { 'a' }, "a", "approve the selected version: type a reason, then y confirms", KB_REGISTRY, "approve", key_approve },
	{ { 'r' }, "r", "reject the selected version: type a reason, then y confirms", KB_REGISTRY, "reject", key_reject },
	{ { '/', 'n', 'N' }, "/ n N", "find a group or version (number, status, description); next, previous", KB_VIEW, NULL, key_find },
	{ { 'm' }, "m", "mark a version to compare", KB_VIEW, NULL, key_mark },
	{ { 'd' }, "d", "compare the selected version with the marked one (differences only)", KB_VIEW, NULL, key_diff },
	{ { 'c' }, "c", "write the selected version's model card to GROUP-VERSION-card.html (asks before replacing a file; :card FILE)", KB_ASK, "card", key_card },
	{ { 0 }, "Enter", "open the selected version read-only: details, confusion matrix, curves, resolved settings, rules, tree, audit trail (/ finds, Esc closes)", KB_VIEW, NULL, NULL },
	{ { 0 }, "Esc", "back from the comparison; clear the mark", KB_VIEW, NULL, NULL },
	{ { 0 }, NULL, NULL, KB_VIEW, NULL, NULL }
};

static const struct command commands[] = {
	{ "approve", "VERSION REASON", "approve a registered version (shows the change, y confirms)", { ARG_VERSION, ARG_TEXT, ARG_TEXT }, cmd_status },
	{ "reject", "VERSION REASON", "reject a registered version (shows the change, y confirms)", { ARG_VERSION, ARG_TEXT, ARG_TEXT }, cmd_status },
	{ "card", "[FILE]", "write the selected version's model card (HTML, or Markdown for FILE.md; asks before replacing)", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_card },
	{ "drift", "FILE.csv", "compare FILE.csv with the selected version's training data (PSI per column and score; Esc cancels)", { ARG_FILE, ARG_NONE, ARG_NONE }, cmd_drift },
};

static int key(struct app *a, int ch)
{
	struct reg_state *s = get_state(a);
	size_t page = s->pane_page > 1 ? (size_t)s->pane_page - 1 : 1;
	if (s->viewing)
		return view_key(a, s, ch);
	int r = screen_dispatch(keys, a, ch);
	if (r != KEY_UNHANDLED)
		return r;

	switch (ch) {
	case KEY_UP: case 'k':
		if (s->sel)
			select_row(s, s->sel - 1);
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_DOWN: case 'j':
		select_row(s, s->sel + 1);
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_HOME: case 'g':
		select_row(s, 0);
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_END: case 'G':
		if (s->nrows)
			select_row(s, s->nrows - 1);
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_PPAGE:
		s->scroll = s->scroll > page ? s->scroll - page : 0;
		return KEY_HANDLED | KEY_REDRAW;
	case KEY_NPAGE:
		s->scroll += page;
		return KEY_HANDLED | KEY_REDRAW;
	case '\n': case '\r': case KEY_ENTER:
		if (s->pane == PANE_DIFF) {
			s->pane = PANE_DETAILS;
			free_lines(s);
			return KEY_HANDLED | KEY_REDRAW;
		}
		return open_view(a, s);
	case 27:
		if (s->pane == PANE_DIFF) {
			s->pane = PANE_DETAILS;
			free_lines(s);
			return KEY_HANDLED | KEY_REDRAW;
		}
		if (s->marked && !a->job_running) {
			s->marked = false;
			app_message(a, false, "mark cleared");
			return KEY_HANDLED | KEY_REDRAW;
		}
		return KEY_UNHANDLED;
	default:
		return KEY_UNHANDLED;
	}
}

static void enter(struct app *a)
{
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (s)
		s->loaded = false;   /* read again whatever the fingerprint says */
}

static void free_state(struct app *a)
{
	struct reg_state *s = a->screen_state[SCR_REGISTRY];
	if (!s)
		return;
	free_listing(s);
	free_lines(s);
	view_free(s);
	free(s);
	a->screen_state[SCR_REGISTRY] = NULL;
}

const struct screen_ops scr_registry_ops = {
	.name = "Registry",
	.draw = draw,
	.key = key,
	.enter = enter,
	.leave = NULL,
	.free_state = free_state,
	.modal = modal,
	.keys = keys,
	.commands = commands,
	.ncommands = sizeof commands / sizeof commands[0],
};
