/* Unit tests for util.c's thread fan-out (ft_parallel, ft_run_tasks) and
 * the cancellable shuffle the split and SMOTE share. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

struct item {
	int runs;
	size_t index;
};

static void *count_run(void *arg)
{
	((struct item *)arg)->runs++;
	return NULL;
}

static void test_each_item_runs_once(void **state)
{
	(void)state;
	/* 0, 1, a few, and more items than the thread cap */
	static const size_t sizes[] = { 0, 1, 3, FT_THREADS_MAX + 37 };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		struct item *it = calloc(n ? n : 1, sizeof *it);
		ft_parallel(count_run, it, sizeof *it, n);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(it[k].runs, 1);
		free(it);
	}
}

struct queue {
	atomic_size_t next, done;
	size_t n;
	atomic_int workers;
};

static void *queue_worker(void *arg)
{
	struct queue *q = arg;
	atomic_fetch_add(&q->workers, 1);
	while (atomic_fetch_add(&q->next, 1) < q->n)
		atomic_fetch_add(&q->done, 1);
	return NULL;
}

static void test_shared_queue(void **state)
{
	(void)state;
	struct queue q = { .n = 10000 };
	atomic_init(&q.next, 0);
	atomic_init(&q.done, 0);
	atomic_init(&q.workers, 0);
	ft_parallel(queue_worker, &q, 0, 4);
	assert_int_equal(atomic_load(&q.done), 10000);
	assert_int_equal(atomic_load(&q.workers), 4);
}

static void *mark_a(void *arg)
{
	((int *)arg)[0] = 1;
	return NULL;
}

static void *mark_b(void *arg)
{
	((int *)arg)[1] = 2;
	return NULL;
}

static void test_tasks(void **state)
{
	(void)state;
	int marks[2] = { 0, 0 };
	struct ft_task t[] = { { mark_a, marks }, { mark_b, marks } };
	ft_run_tasks(t, 2);
	assert_int_equal(marks[0], 1);
	assert_int_equal(marks[1], 2);
}

static void test_shuffle(void **state)
{
	(void)state;
	enum { N = 10000 };
	size_t *v = malloc(N * sizeof *v), *w = malloc(N * sizeof *w);
	for (size_t i = 0; i < N; i++)
		v[i] = w[i] = i;
	struct ft_rng a, b;
	rng_seed(&a, 7);
	rng_seed(&b, 7);
	assert_true(rng_shuffle(&a, v, N, NULL));
	assert_true(rng_shuffle(&b, w, N, NULL));
	assert_memory_equal(v, w, N * sizeof *v);   /* the seed decides */
	bool seen[N] = { false };
	size_t moved = 0;
	for (size_t i = 0; i < N; i++) {
		assert_false(seen[v[i]]);
		seen[v[i]] = true;
		moved += v[i] != i;
	}
	assert_true(moved > N / 2);
	atomic_int stop = 1;
	struct ft_progress prog = { .cancel = &stop };
	assert_false(rng_shuffle(&a, v, N, &prog));
	free(v);
	free(w);
}

/* The shuffle draws its swaps ahead of time; the permutation must still
 * be plain Fisher-Yates' for the seed (models depend on it), at every
 * length around the look-ahead. */
static void test_shuffle_is_fisher_yates(void **state)
{
	(void)state;
	static const size_t lengths[] = { 0, 1, 2, 3, 31, 32, 33, 34, 35, 64, 65, 4097, 100000 };
	for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
		size_t n = lengths[l];
		size_t *v = malloc((n + 1) * sizeof *v), *w = malloc((n + 1) * sizeof *w);
		for (size_t i = 0; i < n; i++)
			v[i] = w[i] = i * 3 + 1;
		struct ft_rng a, b;
		rng_seed(&a, 42 + n);
		rng_seed(&b, 42 + n);
		assert_true(rng_shuffle(&a, v, n, NULL));
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)rng_below(&b, i), t = w[i - 1];
			w[i - 1] = w[j];
			w[j] = t;
		}
		if (n)
			assert_memory_equal(v, w, n * sizeof *v);
		/* and the generator is left where plain Fisher-Yates leaves it */
		assert_true(rng_next(&a) == rng_next(&b));
		free(v);
		free(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_item_runs_once),
		cmocka_unit_test(test_shuffle_is_fisher_yates),
		cmocka_unit_test(test_shared_queue),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_shuffle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
