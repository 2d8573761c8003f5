/* util.h - cleanup attributes, ownership transfer and small helpers shared by every module. */
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* 0, or a compile error when the string literal s and its NUL do not fit in n bytes (C lets a
 * char[n] take n characters and drop the NUL without a word). For pointer-free tables. */
#define FITS(s, n)     (0 * sizeof(struct { int fits : sizeof(s) <= (n) ? 1 : -1; }))
#define _unused_       __attribute__((unused))
#define _noreturn_     __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p)
{
        free(*(void **)p);
}

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

static inline void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

/* A NULL-terminated array of owned strings. */
static inline void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static inline void strv_freep(char ***v)
{
        strv_free(*v);
}

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_   _cleanup_(strv_freep)
#define _cleanup_dir_    _cleanup_(closedirp)

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _t = (p);                                                            \
                (p) = NULL;                                                                        \
                _t;                                                                                \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _t = (fd);                                                                     \
                (fd) = -EBADF;                                                                     \
                _t;                                                                                \
        })

#define RETRY_EINTR(expr)                                                                          \
        ({                                                                                         \
                long _r;                                                                           \
                do                                                                                 \
                        _r = (long)(expr);                                                         \
                while (_r < 0 && errno == EINTR);                                                  \
                _r;                                                                                \
        })

static inline int negative_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}

/* Closes fds[0..n) and sets them to -1. */
static inline void close_many(int *fds, int n)
{
        for (int i = 0; i < n; i++)
                if (fds[i] >= 0) {
                        close(fds[i]);
                        fds[i] = -1;
                }
}

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static inline bool strcaseeq(const char *a, const char *b)
{
        return strcasecmp(a, b) == 0;
}

/* Abort on allocation failure: a launcher that cannot allocate a few bytes cannot unwind safely
 * either, and every caller checking NULL would double the code for no gain. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);

/* A string grown at its end, always NUL-terminated once anything is added (s stays NULL
 * until then); the caller owns s. */
struct strbuf {
        char *s;
        size_t len, cap;
};
void strbuf_add(struct strbuf *b, const char *s, size_t n);

size_t strv_length(char *const *v);
/* Append an owned string; *v may be NULL. */
void strv_push(char ***v, char *s);
char **strv_copy(char *const *v);
bool strv_contains(char *const *v, const char *s);

/* Whole-file and whole-fd helpers; return 0 or a negative errno. */
int write_file_at(int dirfd, const char *path, const char *data);
int read_file_at(int dirfd, const char *path, char **ret, size_t max);
/* Reads fd to EOF into a NUL-terminated buffer; *len excludes the terminator. */
int read_fd_all(int fd, char **ret, size_t *len, size_t max);
/* The same, stopping early once done(text so far, NUL-terminated) says the text is complete
 * (no read for the EOF). */
int read_fd_until(int fd, char **ret, size_t *len, size_t max,
                  bool (*done)(const char *text, size_t len));
int write_all(int fd, const void *buf, size_t n);
int read_all(int fd, void *buf, size_t n);

/* Close every fd >= lowfd except those in keep[] (close_range where possible). */
int close_fds_from(int lowfd, const int *keep, size_t nkeep);

/* Create a directory and its parents (like mkdir -p) relative to dirfd. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode);

/* Fields of /proc/PID/stat: the start time (22), to tell a pid apart from a reused one, and the
 * CPU it last ran on or waits on (39). */
struct proc_stat {
        char state; /* R, S, D, Z (exited, not yet reaped), ... */
        unsigned long long starttime;
        int processor;
};
int proc_stat(pid_t pid, struct proc_stat *ret);
int proc_starttime(pid_t pid, unsigned long long *ret);
/* Where our command line lies in our memory (arg_start and arg_end of /proc/self/stat): what
 * /proc/PID/cmdline shows, to anyone. 0, or a negative errno. */
int proc_self_args(uintptr_t *ret_start, uintptr_t *ret_end);

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);
