/*
 * abrun.c - interleaved A/B of two builds of the same program, for changes too small for a
 * bench.sh run to resolve on a noisy machine (the start latency moves by +-0.5 ms between
 * rounds here; a 0.15 ms change needs hundreds of pairs).
 *
 *   abrun [-e VAR=VALUE] N A B [ARG...]
 *     runs `A ARG...` and `B ARG...` N times each after 5 warm-up pairs, alternating the order
 *     (AB, BA, AB, ...) so that drift hits both alike, and prints the mean and median of each
 *     and of the paired differences B - A (with the standard error of the mean difference and
 *     the mean without the 10% largest and smallest differences: a VM's stalls are outliers).
 *     Their standard output goes to /dev/null. -e sets VAR in B's environment only: A/B of one binary with a switch in it.
 *     A run that exits non-zero is reported and counted.
 * Build: make build/abrun (or cc -O2 -o abrun abrun.c -lm). Example (README "Performance"):
 *   build/abrun 400 /tmp/boxlaunch-before build/boxlaunch /tmp/boxbench/box/bb-boxlaunch-true-u0.box
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *b_env;
static int failures;

static double now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double run(const char *bin, bool is_b, char **args)
{
        args[0] = (char *)bin;
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0)
                        dup2(null, STDOUT_FILENO); /* what the runs print is not the point */
                if (is_b && b_env)
                        putenv((char *)b_env);
                execv(bin, args);
                _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0) {
                perror("abrun");
                exit(1);
        }
        double t = now_ms() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "abrun: %s failed (status 0x%x)\n", bin, status);
                failures++;
        }
        return t;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double mean(const double *v, int n)
{
        double s = 0;
        for (int i = 0; i < n; i++)
                s += v[i];
        return s / n;
}

int main(int argc, char **argv)
{
        int opt;
        while ((opt = getopt(argc, argv, "+e:")) != -1) {
                if (opt != 'e' || !strchr(optarg, '=')) {
                        fprintf(stderr, "usage: abrun [-e VAR=VALUE] N A B [ARG...]\n");
                        return 2;
                }
                b_env = optarg;
        }
        if (argc - optind < 3 || atoi(argv[optind]) < 10) {
                fprintf(stderr, "usage: abrun [-e VAR=VALUE] N A B [ARG...] (N >= 10)\n");
                return 2;
        }
        int n = atoi(argv[optind]);
        const char *a_bin = argv[optind + 1], *b_bin = argv[optind + 2];
        char **args = &argv[optind + 2]; /* args[0] is replaced by the binary run */
        double *a = calloc(n, sizeof(*a)), *b = calloc(n, sizeof(*b)), *d = calloc(n, sizeof(*d));
        if (!a || !b || !d)
                return 1;
        for (int i = 0; i < 5; i++) {
                run(a_bin, false, args);
                run(b_bin, true, args);
        }
        failures = 0;
        for (int i = 0; i < n; i++) {
                if (i % 2) {
                        a[i] = run(a_bin, false, args);
                        b[i] = run(b_bin, true, args);
                } else {
                        b[i] = run(b_bin, true, args);
                        a[i] = run(a_bin, false, args);
                }
                d[i] = b[i] - a[i];
        }
        double md = mean(d, n), var = 0;
        for (int i = 0; i < n; i++)
                var += (d[i] - md) * (d[i] - md);
        double se = sqrt(var / (n - 1) / n);
        printf("A: mean %.3f ms, B: mean %.3f ms\n", mean(a, n), mean(b, n));
        qsort(a, n, sizeof(*a), cmp);
        qsort(b, n, sizeof(*b), cmp);
        qsort(d, n, sizeof(*d), cmp);
        int k = n / 10;
        printf("A: median %.3f ms, B: median %.3f ms\n", a[n / 2], b[n / 2]);
        printf("B - A: mean %+.3f ms (se %.3f), median %+.3f ms, 10%%-trimmed mean %+.3f ms; "
               "%d pairs, %d failed runs\n",
               md, se, d[n / 2], mean(d + k, n - 2 * k), n, failures);
        return failures ? 1 : 0;
}
