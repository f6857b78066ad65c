/*
 * pool.c: run independent jobs on a few threads.  Work is handed out by
 * an atomic counter, so there is no lock on the hot path.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "faqgen.h"

struct pool {
	atomic_size_t	  next;
	size_t		  n;
	void		(*fn)(void *, size_t);
	void		 *arg;
};

static void *
worker(void *arg)
{
	struct pool	*p = arg;
	size_t		 i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->arg, i);
	return NULL;
}

void
pool_run(size_t n, int jobs, void (*fn)(void *, size_t), void *arg)
{
	struct pool	 p;
	pthread_t	*th;
	int		 i, started = 0;

	atomic_init(&p.next, 0);
	p.n = n;
	p.fn = fn;
	p.arg = arg;
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > n)
		jobs = n > 0 ? (int)n : 1;
	th = xcalloc((size_t)jobs, sizeof(pthread_t));
	for (i = 1; i < jobs; i++)
		if (pthread_create(&th[i], NULL, worker, &p) == 0)
			started++;
		else
			break;
	worker(&p);
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	free(th);
}
