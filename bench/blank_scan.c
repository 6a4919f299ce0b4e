/* Bench driver: the blank check's sample reads on device argv[1], opened as
 * the gate opens it (O_DIRECT), argv[2] times (default 5), the device's cache
 * dropped first.  Prints "median_wall_ms median_cpu_ms samples bytes_read
 * blank|found": wall time depends on what else the machine does, CPU time
 * (user + system) is the check's own work. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "block/blank.h"

static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct blank_report r;
	double wall[64], cpu[64];
	uint64_t size = 0;
	int fd, runs = argc > 2 ? atoi(argv[2]) : 5;

	if (argc < 2 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: blank_scan DEVICE [RUNS]\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_DIRECT)) < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0) {
		fprintf(stderr, "blank_scan: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	(void)ioctl(fd, BLKFLSBUF, 0);
	for (int i = 0; i < runs; i++) {
		double w = wall_ms(), c = cpu_ms();
		int e = blank_scan_fd(fd, size, &r);
		wall[i] = wall_ms() - w;
		cpu[i] = cpu_ms() - c;
		if (e < 0) {
			fprintf(stderr, "blank_scan: %s: %s\n", argv[1], strerror(-e));
			return 1;
		}
	}
	qsort(wall, (size_t)runs, sizeof(double), cmp_double);
	qsort(cpu, (size_t)runs, sizeof(double), cmp_double);
	printf("%.1f %.1f %u %llu %s\n", wall[runs / 2], cpu[runs / 2], r.samples, (unsigned long long)r.bytes_read,
	       r.found ? "found" : "blank");
	close(fd);
	return 0;
}
