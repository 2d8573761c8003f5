/*
 * cgcost.c - what the cgroup v1 part of a box start costs on this kernel, untraced.
 *
 * Does, per run, what a launcher does with cgroup v1 for one box, and times each step
 * with CLOCK_MONOTONIC (no strace/perf overhead):
 *   mkdir   PARENT/cgcost-<pid> in each listed hierarchy
 *   limits  memory.limit_in_bytes + pids.max
 *   attach  write a forked child's pid to cgroup.procs, hierarchy by hierarchy
 *           (the first write of a burst pays the cgroup_threadgroup_rwsem writer switch,
 *           an RCU grace period, unless another attach happened just before)
 *   reap    the child exits, waitpid
 *   rmdir   each directory (EBUSY retried every 100 us, retries counted)
 *
 *   cgcost [-n RUNS] [-g GAP_MS] [-p PARENT] HIERARCHY...   (names under /sys/fs/cgroup)
 * Output: one line per run and step: "<run> <step> <us>", then the medians on stderr.
 * Build: cc -O2 -o cgcost cgcost.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXH 16
#define MAXRUNS 1000
static const char *steps[] = {"mkdir", "limits", "attach-first", "attach-rest", "reap", "rmdir",
			      "total"};
#define NSTEPS (sizeof steps / sizeof steps[0])
static double res[NSTEPS][MAXRUNS];

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int wr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -1 : 0;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = 20, gap_ms = 0, c, nh, ebusy = 0;
	const char *parent = "boxbench";
	char dir[MAXH][512], p[8300], pid[32];
	while ((c = getopt(argc, argv, "n:g:p:")) != -1) {
		if (c == 'n')
			runs = atoi(optarg);
		else if (c == 'g')
			gap_ms = atoi(optarg);
		else if (c == 'p')
			parent = optarg;
		else
			return 2;
	}
	nh = argc - optind;
	if (nh < 1 || nh > MAXH || runs < 1 || runs > MAXRUNS) {
		fprintf(stderr, "usage: cgcost [-n RUNS] [-g GAP_MS] [-p PARENT] HIERARCHY...\n");
		return 2;
	}
	for (int r = 0; r < runs; r++) {
		double t0 = now_us(), t = t0, t1;
		for (int h = 0; h < nh; h++) {
			snprintf(dir[h], sizeof dir[h], "/sys/fs/cgroup/%s/%s/cgcost-%d", argv[optind + h],
				 parent, (int)getpid());
			if (mkdir(dir[h], 0755) < 0 && errno != EEXIST) {
				perror(dir[h]);
				return 1;
			}
		}
		t1 = now_us(), res[0][r] = t1 - t, t = t1;
		for (int h = 0; h < nh; h++) {
			if (strstr(dir[h], "/memory/")) {
				snprintf(p, sizeof p, "%s/memory.limit_in_bytes", dir[h]);
				wr(p, "268435456");
			} else if (strstr(dir[h], "/pids/")) {
				snprintf(p, sizeof p, "%s/pids.max", dir[h]);
				wr(p, "1024");
			}
		}
		t1 = now_us(), res[1][r] = t1 - t;
		int pp[2];
		if (pipe2(pp, O_CLOEXEC) < 0)
			return 1;
		pid_t ch = fork();
		if (ch == 0) {
			char b;
			close(pp[1]);
			(void)!read(pp[0], &b, 1);
			_exit(0);
		}
		close(pp[0]);
		snprintf(pid, sizeof pid, "%d", (int)ch);
		t = now_us();
		for (int h = 0; h < nh; h++) {
			snprintf(p, sizeof p, "%s/cgroup.procs", dir[h]);
			if (wr(p, pid) < 0)
				perror(p);
			t1 = now_us();
			if (h == 0)
				res[2][r] = t1 - t, t = t1;
		}
		res[3][r] = t1 - t, t = t1;
		close(pp[1]);
		waitpid(ch, NULL, 0);
		t1 = now_us(), res[4][r] = t1 - t, t = t1;
		for (int h = 0; h < nh; h++)
			while (rmdir(dir[h]) < 0) {
				if (errno != EBUSY) {
					perror(dir[h]);
					break;
				}
				ebusy++;
				usleep(100);
			}
		t1 = now_us(), res[5][r] = t1 - t;
		res[6][r] = t1 - t0;
		for (size_t s = 0; s < NSTEPS; s++)
			printf("%d %s %.1f\n", r, steps[s], res[s][r]);
		if (gap_ms)
			usleep(gap_ms * 1000);
	}
	fprintf(stderr, "cgcost: %d hierarchies, %d runs, gap %d ms, %d EBUSY retries; medians (us):",
		nh, runs, gap_ms, ebusy);
	for (size_t s = 0; s < NSTEPS; s++) {
		qsort(res[s], runs, sizeof(double), cmpd);
		fprintf(stderr, " %s=%.0f", steps[s], runs % 2 ? res[s][runs / 2]
							    : (res[s][runs / 2 - 1] + res[s][runs / 2]) / 2);
	}
	fputc('\n', stderr);
	return 0;
}
