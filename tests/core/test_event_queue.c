/* test_evq.c — FIFO order, full queue, wake fd, and a two-thread stress run
 * (labelled tsan: the thread sanitizer build runs it). */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/evq.h"
#include "util/err.h"

static void
test_fifo_full(void **state)
{
	struct evq *q;
	struct ev ev;
	struct pollfd pfd;
	int i;

	(void)state;
	assert_int_equal(evq_new(&q, 4), QUAN_OK);
	pfd.fd = evq_fd(q);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	for (i = 0; i < 4; i++) {
		memset(&ev, 0, sizeof ev);
		ev.type = EV_TICK;
		ev.t_mono_us = (uint64_t)i;
		assert_int_equal(evq_post(q, &ev), QUAN_OK);
	}
	assert_int_equal(evq_post(q, &ev), QUAN_EFULL);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	for (i = 0; i < 4; i++) {
		assert_int_equal(evq_get(q, &ev), 1);
		assert_int_equal(ev.t_mono_us, (uint64_t)i);
		/* still readable while items remain */
		assert_int_equal(poll(&pfd, 1, 0), i < 3 ? 1 : 0);
	}
	assert_int_equal(evq_get(q, &ev), 0);
	evq_close(q);
	assert_int_equal(evq_post(q, &ev), QUAN_ECLOSED);
	evq_free(q);
}

#define N_STRESS 200000

static void *
producer(void *arg)
{
	struct evq *q = arg;
	struct ev ev;
	uint64_t i;

	memset(&ev, 0, sizeof ev);
	ev.type = EV_TICK;
	for (i = 0; i < N_STRESS;) {
		ev.t_mono_us = i;
		if (evq_post(q, &ev) == QUAN_OK)
			i++;
	}
	return NULL;
}

static void
test_stress(void **state)
{
	struct evq *q;
	struct ev ev;
	pthread_t th;
	uint64_t want = 0;

	(void)state;
	assert_int_equal(evq_new(&q, 64), QUAN_OK);
	assert_int_equal(pthread_create(&th, NULL, producer, q), 0);
	while (want < N_STRESS) {
		if (evq_wait(q, &ev, 1000) == 1) {
			assert_int_equal(ev.t_mono_us, want);
			want++;
		}
	}
	pthread_join(th, NULL);
	evq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_full),
		cmocka_unit_test(test_stress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
