/*
 * probe: what creating a file costs on this disk right now, for the
 * benchmark (bench/run.sh prints it beside each size's figures).
 *
 *	probe DIR [N]
 *
 * Creates DIR (which must not exist) and N files of 2 KB in it (default
 * 20,000), 64 to a folder as faqgen's search index lays them out, one
 * thread, and prints the wall and system time per file in microseconds.
 *
 * Why: every tool in the benchmark creates one file a question or more
 * (faqgen about two), and on this machine's disk (ext4 without a journal,
 * mounted with discard) that cost moves by a factor of three or more
 * from hour to hour.  Without a journal, ext4 does not give out an inode
 * freed in the last minutes (`recently_deleted()` in fs/ext4/ialloc.c):
 * after a large tree is deleted, each file created skips past thousands
 * of such inodes, reading the inode table for each.  The probe says how
 * slow the disk was when the figures were taken; compare ratios measured
 * in one run, not seconds across runs.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

#define PER_FOLDER	64

int
main(int argc, char *argv[])
{
	char		 path[4096], data[2048];
	double		 w0, s0, w, s;
	long		 n = 20000, i;
	int		 fd;

	if (argc < 2 || argc > 3 || (argc == 3 && (n = atol(argv[2])) <= 0)) {
		fprintf(stderr, "usage: probe DIR [N]\n");
		return 2;
	}
	memset(data, 'x', sizeof(data));
	if (mkdir(argv[1], 0755) == -1) {
		fprintf(stderr, "probe: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	w0 = now();
	(void)user_time(&s0);
	for (i = 0; i < n; i++) {
		if (i % PER_FOLDER == 0) {
			snprintf(path, sizeof(path), "%s/%ld", argv[1],
			    i / PER_FOLDER);
			if (mkdir(path, 0755) == -1) {
				fprintf(stderr, "probe: %s: %s\n", path,
				    strerror(errno));
				return 1;
			}
		}
		snprintf(path, sizeof(path), "%s/%ld/%ld.json", argv[1],
		    i / PER_FOLDER, i);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1 ||
		    write(fd, data, sizeof(data)) != (ssize_t)sizeof(data) ||
		    close(fd) == -1) {
			fprintf(stderr, "probe: %s: %s\n", path,
			    strerror(errno));
			return 1;
		}
	}
	w = now() - w0;
	(void)user_time(&s);
	s -= s0;
	printf("file creation: %.0f us a file (%.0f us of system time; %ld "
	    "files of 2 KB)\n", w / (double)n * 1e6, s / (double)n * 1e6, n);
	return 0;
}
