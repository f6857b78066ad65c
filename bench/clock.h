/*
 * clock.h: the clocks of the bench's own programs (probe.c,
 * write-floor.c), each a single file compiled alone.
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <sys/resource.h>

#include <time.h>

/* Seconds on the monotonic clock. */
static inline double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The process's CPU seconds so far, every thread: user, and system in *sys. */
static inline double
user_time(double *sys)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	*sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

#endif /* BENCH_CLOCK_H */
