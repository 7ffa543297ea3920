/* gen: a synthetic card-transaction CSV shaped like the raw data of the
 * pipeline fraudtree replaces (IEEE-CIS style names, IDs, missing values,
 * quoted text), streamed through a large buffer without per-row allocation.
 *
 * How the label is made: each row first draws a hidden behaviour profile
 * (ordinary shopping, account takeover, card testing, a night spree); the
 * profile shapes the features; the label is then drawn from a logistic
 * function of the visible features alone, with interaction terms (large
 * amount at night, card testing on product C). The intercept is calibrated
 * once per fraud rate on a fixed-seed sample, so the fraud share is close
 * to the requested rate whatever the seed.
 *
 * Invariants: the output depends only on (rows, seed, fraud_rate); rows
 * sets the time step and the card pool, so a smaller file is not a prefix
 * of a larger one. All randomness comes from ft_rng; the libm calls
 * (exp, log, pow) feed values that are then rounded to cents, hundredths or
 * whole seconds, so a last-bit difference between libms almost never shows.
 * Numbers are formatted by hand, never through the locale. */
#include "config.h"
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COLUMNS "TransactionID,TransactionDT,timestamp,card_no,TransactionAmt," \
	"ProductCD,card_type,email_domain,merchant,dist1,device_risk," \
	"velocity_1h,account_age_days,isFraud"

#define FIRST_ID UINT64_C(2987000)
#define FIRST_DT 86400.0                 /* IEEE-CIS starts one day in */
#define SPAN_SECONDS (182.0 * 86400.0)   /* about six months whatever the size */
#define EPOCH_DAYS 17501                 /* 2017-12-01, days since 1970-01-01 */
#define CALIBRATION_ROWS 40000
#define CALIBRATION_SEED UINT64_C(0x5eedf00dcafe1234)
#define BUF_SIZE (1u << 20)
#define ROW_MAX 512                      /* generous bound on one formatted row */
#define PROGRESS_EVERY 65536

enum profile { P_ORDINARY, P_TAKEOVER, P_TESTING, P_SPREE };

enum { PROD_W, PROD_C, PROD_R, PROD_H, PROD_S, NPROD };
static const char product_code[NPROD] = { 'W', 'C', 'R', 'H', 'S' };
/* lognormal amount parameters per product: median dollars, sigma */
static const double product_median[NPROD] = { 68.0, 32.0, 110.0, 48.0, 26.0 };
static const double product_sigma[NPROD] = { 0.95, 0.80, 0.75, 0.60, 0.70 };

static const char *const card_types[] = { "debit", "credit", "charge card", "" };

enum {
	DOM_GMAIL, DOM_YAHOO, DOM_HOTMAIL, DOM_ANON, DOM_AOL, DOM_OUTLOOK,
	DOM_ICLOUD, DOM_COMCAST, DOM_PROTON, DOM_MISSING, NDOM
};
static const char *const domains[NDOM] = {
	"gmail.com", "yahoo.com", "hotmail.com", "anonymous.com", "aol.com",
	"outlook.com", "icloud.com", "comcast.net", "protonmail.com", ""
};
/* cumulative weights, out of 1000 */
static const int domain_ordinary[NDOM] = {
	400, 570, 650, 710, 760, 800, 830, 860, 867, 1000
};
static const int domain_risky[NDOM] = {
	250, 330, 380, 560, 580, 600, 620, 630, 820, 1000
};

/* Names as people type them; some need CSV quoting. The first
 * NMERCH_SAFE are everyday shops, weighted by popularity (cumulative, out
 * of 1000); the rest sell things that are easy to resell, which
 * fraudsters favour. */
static const char *const merchants[] = {
	"Q-Mart", "GasCo", "Metro", "Cafe 7", "PetPal", "Deli 24",
	"HomeCo", "Gym Pro", "Books", "Bistro", "Flix",
	"Air Blue", "Acme Foods, Inc.", "Bob's \"Fine\" Diner",
	"Smith & Sons, LLC", "Pharma+",
	"GiftCardHub", "TechZone", "Lux Watches, Ltd.", "CryptoX",
};
#define NMERCH (sizeof merchants / sizeof merchants[0])
#define NMERCH_SAFE 16
static const int merchant_weight[NMERCH_SAFE] = {
	140, 260, 370, 470, 560, 640, 710, 770, 820, 860, 895, 925, 950, 970,
	985, 1000,
};

/* Relative transaction intensity by hour of day: quiet nights. */
static const double hour_intensity[24] = {
	0.30, 0.20, 0.15, 0.15, 0.20, 0.30, 0.50, 0.80, 1.10, 1.30, 1.40, 1.40,
	1.50, 1.50, 1.40, 1.40, 1.40, 1.40, 1.40, 1.30, 1.20, 1.10, 0.80, 0.50,
};
#define INTENSITY_MAX 1.50

struct row {
	uint64_t dt;
	uint64_t card_no;
	uint64_t cents;
	int product, card_type, domain, merchant;
	int dist1;            /* -1 = missing */
	int device_risk;      /* hundredths, -1 = missing */
	int velocity;
	int age;              /* -1 = missing */
	int hour;
	double score;         /* logit contribution of the features */
};

struct gen_state {
	struct ft_rng rng;
	double t;             /* TransactionDT as a real number of seconds */
	double mean_gap;
	uint64_t ncards;
	uint64_t card_salt;
	double risky_share;
	double intercept;
	double intensity_mean;
};

/* 64-bit mixer (splitmix64's finaliser): card attributes follow from the
 * card's index, so a card keeps its number and type across rows. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int pick_cumulative(struct ft_rng *r, const int *cum, int n)
{
	int u = (int)rng_below(r, (uint64_t)cum[n - 1]);
	for (int i = 0; i < n; i++)
		if (u < cum[i])
			return i;
	return n - 1;
}

static double lognormal(struct ft_rng *r, double median, double sigma)
{
	return median * exp(sigma * rng_normal(r));
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void state_init(struct gen_state *st, uint64_t seed, uint64_t rows,
		       double fraud_rate)
{
	rng_seed(&st->rng, seed);
	st->t = FIRST_DT;
	st->mean_gap = SPAN_SECONDS / (double)(rows ? rows : 1);
	st->ncards = rows / 4 + 1000;
	st->card_salt = mix64(seed ^ UINT64_C(0xc2b2ae3d27d4eb4f));
	/* Hidden risky behaviour grows with the fraud rate so that the signal
	 * stays about as learnable at 0.5% as at 3%. */
	st->risky_share = clampd(1.6 * fraud_rate, 0.0, 0.6);
	double sum = 0;
	for (int h = 0; h < 24; h++)
		sum += hour_intensity[h];
	st->intensity_mean = sum / 24.0;
	st->intercept = 0;
}

static int pick_product(struct ft_rng *r, enum profile pr)
{
	static const int ordinary[NPROD] = { 740, 850, 915, 975, 1000 };
	static const int testing[NPROD] = { 350, 950, 960, 990, 1000 };
	static const int risky[NPROD] = { 600, 750, 900, 960, 1000 };
	const int *cum = pr == P_ORDINARY ? ordinary : pr == P_TESTING ? testing : risky;
	return pick_cumulative(r, cum, NPROD);
}

/* The visible features' contribution to the fraud logit. */
static double row_score(const struct row *w)
{
	double s = 0;
	if (w->domain == DOM_PROTON)
		s += 1.6;
	else if (w->domain == DOM_ANON)
		s += 1.1;
	else if (w->domain == DOM_MISSING)
		s += 0.3;
	if (w->device_risk > 50)
		s += 3.5 * (w->device_risk - 50) / 50.0;
	if (w->age >= 0) {
		if (w->age < 14)
			s += 2.2;
		else if (w->age < 60)
			s += 0.6;
	}
	s += 0.55 * (w->velocity < 10 ? w->velocity : 10);
	bool night = w->hour < 6;
	if (night)
		s += 0.3;
	if (night && w->cents > 25000)
		s += 2.8;
	if (w->cents > 100000)
		s += 0.5;
	if (w->product == PROD_C && w->velocity >= 4)
		s += 1.2;
	if (w->dist1 > 100)
		s += 1.3;
	if (w->merchant >= NMERCH_SAFE)
		s += 0.5;
	return s;
}

/* Advance time and draw one row's features (not the label). */
static void next_row(struct gen_state *st, struct row *w)
{
	struct ft_rng *r = &st->rng;

	/* A Poisson process whose rate follows the hour of day, by thinning:
	 * candidates at the peak rate, kept in proportion to the hour's rate. */
	for (;;) {
		st->t += -log1p(-rng_uniform(r)) * st->mean_gap * st->intensity_mean / INTENSITY_MAX;
		int hour = (int)(fmod(st->t, 86400.0) / 3600.0);
		if (rng_uniform(r) * INTENSITY_MAX < hour_intensity[hour])
			break;
	}
	w->dt = (uint64_t)st->t;
	w->hour = (int)((w->dt % 86400) / 3600);

	enum profile pr = P_ORDINARY;
	double q = rng_uniform(r);
	if (w->hour < 6) {
		if (q < 2.5 * st->risky_share)
			pr = P_SPREE;
	} else if (q < st->risky_share) {
		pr = q < 0.55 * st->risky_share ? P_TAKEOVER : P_TESTING;
	}

	uint64_t card = rng_below(r, st->ncards);
	uint64_t h = mix64(card ^ st->card_salt);
	w->card_no = (h & 1 ? UINT64_C(4) : UINT64_C(5)) * UINT64_C(1000000000000000) +
		     (h >> 1) % UINT64_C(1000000000000000);
	unsigned ct = (unsigned)((h >> 40) % 1000);
	w->card_type = ct < 700 ? 0 : ct < 975 ? 1 : ct < 985 ? 2 : 3;

	w->product = pick_product(r, pr);
	double amt;
	switch (pr) {
	case P_TESTING:
		amt = 0.5 + 4.5 * rng_uniform(r);
		break;
	case P_SPREE:
		amt = lognormal(r, 420.0, 0.6);
		break;
	case P_TAKEOVER:
		amt = lognormal(r, 160.0, 1.0);
		break;
	default:
		amt = lognormal(r, product_median[w->product], product_sigma[w->product]);
		break;
	}
	amt = clampd(amt, 0.25, 25000.0);
	w->cents = (uint64_t)(amt * 100.0 + 0.5);

	w->domain = pick_cumulative(r, pr == P_ORDINARY ? domain_ordinary : domain_risky, NDOM);

	if (rng_uniform(r) < (pr == P_ORDINARY ? 0.97 : 0.5))
		w->merchant = pick_cumulative(r, merchant_weight, NMERCH_SAFE);
	else
		w->merchant = (int)rng_below(r, NMERCH);

	if (rng_uniform(r) < 0.55)
		w->dist1 = -1;
	else if (pr == P_TAKEOVER)
		w->dist1 = (int)clampd(lognormal(r, 300.0, 0.8), 0, 9999);
	else
		w->dist1 = (int)clampd(lognormal(r, 8.0, 1.1), 0, 9999);

	if (rng_uniform(r) < 0.10) {
		w->device_risk = -1;
	} else {
		double v = rng_uniform(r);
		double dr = pr == P_ORDINARY ? 0.8 * v * v * sqrt(v) : 0.4 + 0.6 * pow(v, 0.7);
		w->device_risk = (int)(dr * 100.0 + 0.5);
	}

	switch (pr) {
	case P_TESTING:
		w->velocity = 4 + (int)rng_below(r, 16);
		break;
	case P_SPREE:
		w->velocity = 2 + (int)rng_below(r, 8);
		break;
	default: {
		int v = (int)rng_below(r, 100);
		w->velocity = v < 55 ? 0 : v < 85 ? 1 : v < 95 ? 2 : 3 + (v & 1);
		break;
	}
	}

	if (rng_uniform(r) < 0.03)
		w->age = -1;
	else if (pr == P_TAKEOVER)
		w->age = (int)rng_below(r, 21);
	else if (rng_uniform(r) < 0.05)
		w->age = (int)rng_below(r, 30);
	else
		w->age = 30 + (int)clampd(-700.0 * log1p(-rng_uniform(r)), 0, 9000);

	w->score = row_score(w);
}

static double mean_probability(const double *score, size_t n, double b)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += 1.0 / (1.0 + exp(-(b + score[i])));
	return sum / (double)n;
}

/* The intercept that makes the expected fraud share equal fraud_rate on a
 * fixed sample; bisection, since the mean is monotonic in it. */
static double calibrate(double fraud_rate)
{
	struct gen_state cal;
	state_init(&cal, CALIBRATION_SEED, CALIBRATION_ROWS, fraud_rate);
	double *score = xmalloc(CALIBRATION_ROWS * sizeof *score);
	struct row w;
	for (size_t i = 0; i < CALIBRATION_ROWS; i++) {
		next_row(&cal, &w);
		score[i] = w.score;
	}
	double lo = -40, hi = 40;
	for (int it = 0; it < 60; it++) {
		double mid = 0.5 * (lo + hi);
		if (mean_probability(score, CALIBRATION_ROWS, mid) < fraud_rate)
			lo = mid;
		else
			hi = mid;
	}
	free(score);
	return 0.5 * (lo + hi);
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_2(char *p, unsigned v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* "YYYY-MM-DD " for a day number since 1970-01-01 (proleptic Gregorian;
 * H. Hinnant's civil_from_days). */
static void format_day(char out[11], int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	char *p = out;
	p = put_2(p, (unsigned)(y / 100));
	p = put_2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put_2(p, m);
	*p++ = '-';
	p = put_2(p, d);
	*p = ' ';
}

struct escaped {
	char text[64];
	size_t len;
};

static void csv_escape(struct escaped *e, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	char *p = e->text;
	if (quote)
		*p++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*p++ = '"';
		*p++ = *s;
	}
	if (quote)
		*p++ = '"';
	e->len = (size_t)(p - e->text);
}

struct out {
	char *buf;
	size_t len;
	gen_sink_fn sink;
	void *ctx;
};

static int flush_out(struct out *o, struct ft_err *err)
{
	if (o->len && o->sink(o->ctx, o->buf, o->len, err) < 0)
		return -1;
	o->len = 0;
	return 0;
}

void gen_options_default(struct gen_options *opt)
{
	opt->rows = 0;
	opt->seed = GEN_DEFAULT_SEED;
	opt->fraud_rate = GEN_DEFAULT_FRAUD_RATE;
}

int gen_check(const struct gen_options *opt, struct ft_err *err)
{
	if (opt->rows > GEN_MAX_ROWS)
		return ft_fail(err, FT_EINPUT, "gen: --rows must be at most %llu",
			       (unsigned long long)GEN_MAX_ROWS);
	if (!(opt->fraud_rate >= 0.0 && opt->fraud_rate <= 1.0))
		return ft_fail(err, FT_EINPUT, "gen: --fraud-rate must be between 0 and 1");
	return 0;
}

const char *gen_header(void)
{
	return COLUMNS;
}

int gen_stream(const struct gen_options *opt, gen_sink_fn sink, void *ctx,
	       const struct ft_progress *progress, struct ft_err *err)
{
	if (gen_check(opt, err) < 0)
		return -1;

	struct escaped merch[NMERCH];
	for (size_t i = 0; i < NMERCH; i++)
		csv_escape(&merch[i], merchants[i]);
	size_t ctype_len[4], dom_len[NDOM];
	for (int i = 0; i < 4; i++)
		ctype_len[i] = strlen(card_types[i]);
	for (int i = 0; i < NDOM; i++)
		dom_len[i] = strlen(domains[i]);

	struct gen_state st;
	state_init(&st, opt->seed, opt->rows, opt->fraud_rate);
	bool certain = opt->fraud_rate <= 0.0 || opt->fraud_rate >= 1.0;
	if (!certain && opt->rows)
		st.intercept = calibrate(opt->fraud_rate);

	struct out o = { xmalloc(BUF_SIZE), 0, sink, ctx };
	o.len = (size_t)snprintf(o.buf, BUF_SIZE, "%s\n", COLUMNS);

	int64_t cached_day = -1;
	char day[11];
	struct row w;
	int rc = 0;
	for (uint64_t i = 0; i < opt->rows; i++) {
		if (o.len > BUF_SIZE - ROW_MAX && flush_out(&o, err) < 0) {
			rc = -1;
			goto done;
		}
		if (i % PROGRESS_EVERY == 0) {
			if (ft_cancelled(progress)) {
				rc = ft_fail(err, FT_ECANCELLED, "gen: cancelled");
				goto done;
			}
			ft_progress_report(progress, "gen", i, opt->rows);
		}

		next_row(&st, &w);
		bool fraud;
		if (certain)
			fraud = opt->fraud_rate >= 1.0;
		else
			fraud = rng_uniform(&st.rng) < 1.0 / (1.0 + exp(-(st.intercept + w.score)));

		char *p = o.buf + o.len;
		p = put_u64(p, FIRST_ID + i);
		*p++ = ',';
		p = put_u64(p, w.dt);
		*p++ = ',';
		int64_t dnum = (int64_t)(w.dt / 86400);
		if (dnum != cached_day) {
			format_day(day, EPOCH_DAYS + dnum);
			cached_day = dnum;
		}
		p = put_str(p, day, sizeof day);
		unsigned sec = (unsigned)(w.dt % 86400);
		p = put_2(p, sec / 3600);
		*p++ = ':';
		p = put_2(p, sec / 60 % 60);
		*p++ = ':';
		p = put_2(p, sec % 60);
		*p++ = ',';
		p = put_u64(p, w.card_no);
		*p++ = ',';
		p = put_u64(p, w.cents / 100);
		*p++ = '.';
		p = put_2(p, (unsigned)(w.cents % 100));
		*p++ = ',';
		*p++ = product_code[w.product];
		*p++ = ',';
		p = put_str(p, card_types[w.card_type], ctype_len[w.card_type]);
		*p++ = ',';
		p = put_str(p, domains[w.domain], dom_len[w.domain]);
		*p++ = ',';
		p = put_str(p, merch[w.merchant].text, merch[w.merchant].len);
		*p++ = ',';
		if (w.dist1 >= 0)
			p = put_u64(p, (uint64_t)w.dist1);
		*p++ = ',';
		if (w.device_risk >= 0) {
			*p++ = (char)('0' + w.device_risk / 100);
			*p++ = '.';
			p = put_2(p, (unsigned)(w.device_risk % 100));
		}
		*p++ = ',';
		p = put_u64(p, (uint64_t)w.velocity);
		*p++ = ',';
		if (w.age >= 0)
			p = put_u64(p, (uint64_t)w.age);
		*p++ = ',';
		*p++ = fraud ? '1' : '0';
		*p++ = '\n';
		o.len = (size_t)(p - o.buf);
	}
	if (flush_out(&o, err) < 0) {
		rc = -1;
		goto done;
	}
	ft_progress_report(progress, "gen", opt->rows, opt->rows);
done:
	free(o.buf);
	return rc;
}

struct fd_sink {
	int fd;
	const char *name;
};

static int write_fd_sink(void *ctx, const char *buf, size_t len, struct ft_err *err)
{
	struct fd_sink *s = ctx;
	if (write_all(s->fd, buf, len) < 0)
		return ft_fail(err, FT_EIO, "%s: %s", s->name, strerror(errno));
	return 0;
}

int gen_write_fd(const struct gen_options *opt, int fd,
		 const struct ft_progress *progress, struct ft_err *err)
{
	struct fd_sink s = { fd, "standard output" };
	return gen_stream(opt, write_fd_sink, &s, progress, err);
}

int gen_write_file(const struct gen_options *opt, const char *path,
		   const struct ft_progress *progress, struct ft_err *err)
{
	if (gen_check(opt, err) < 0)
		return -1;

	struct out_file o;
	if (out_open(&o, path, 0666, err) < 0)
		return -1;
	struct fd_sink s = { o.fd, path };
	int rc = gen_stream(opt, write_fd_sink, &s, progress, err);
	return out_commit(&o, rc == 0, rc == 0 ? err : NULL);
}
