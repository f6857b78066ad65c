/*
 * progress.c: one line on stderr saying what a long build is doing,
 * "faqgen: rendering 1200/10000", redrawn in place with \r.  Drawn by a
 * thread ten times a second, only once the build has run a second and
 * only when the caller found stderr to be a terminal; cleared before any
 * other output.  FAQGEN_PROGRESS_DELAY (milliseconds) changes the second,
 * for tests.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faqgen.h"

#define DELAY_MS	1000	/* no line for builds shorter than this */
#define TICK_MS		100

struct progress {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	int		 stop;		/* the thread should end */
	int		 hidden;	/* cleared: draw nothing more */
	int		 drawn;		/* a line is on the terminal */
	long		 delay;		/* ms before the first line */
	const char	*stage;		/* borrowed, static */
	size_t		 total;
	size_t		 done;		/* guarded by lock */
	struct timespec	 start;
};

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Called with the lock held. */
static void
draw(struct progress *p)
{
	if (p->hidden || p->stage == NULL || elapsed_ms(&p->start) < p->delay)
		return;
	if (p->total > 0)
		fprintf(stderr, "\r\033[Kfaqgen: %s %zu/%zu", p->stage,
		    p->done, p->total);
	else
		fprintf(stderr, "\r\033[Kfaqgen: %s", p->stage);
	fflush(stderr);
	p->drawn = 1;
}

static void *
run(void *arg)
{
	struct progress	*p = arg;
	struct timespec	 until;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->wake, &p->lock, &until);
		if (!p->stop)
			draw(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Returns NULL when disabled; every function accepts NULL. */
struct progress *
progress_start(int enabled)
{
	struct progress	*p;
	const char	*env;

	if (!enabled)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->delay = DELAY_MS;
	if ((env = getenv("FAQGEN_PROGRESS_DELAY")) != NULL && *env != '\0')
		p->delay = strtol(env, NULL, 10);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void
progress_stage(struct progress *p, const char *stage, size_t total)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stage = stage;
	p->total = total;
	p->done = 0;
	draw(p);
	pthread_mutex_unlock(&p->lock);
}

void
progress_tick(struct progress *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->done++;
	pthread_mutex_unlock(&p->lock);
}

void
progress_clear(struct progress *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
	p->hidden = 1;
	pthread_mutex_unlock(&p->lock);
}

void
progress_end(struct progress *p)
{
	if (p == NULL)
		return;
	progress_clear(p);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
