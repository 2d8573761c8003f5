/* fake_tree.h - for the cgroup tests: a fake cgroup tree in plain directories under /tmp
 * (BOXLAUNCH_CGROUP_LAYOUT names its layout), its files written, made, read and checked by
 * their path relative to the tree. */
#pragma once
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static char tree[64];

/* A new empty tree /tmp/NAME.XXXXXX with the given layout (v1, hybrid, v2). */
static inline int fake_tree_new(const char *name, const char *layout)
{
        snprintf(tree, sizeof(tree), "/tmp/%s.XXXXXX", name);
        if (!mkdtemp(tree))
                return -1;
        setenv("BOXLAUNCH_CGROUP_LAYOUT", layout, 1);
        return 0;
}

static inline int fake_tree_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
        return remove(p);
}

/* Removes the tree's contents and the tree itself. */
static inline void fake_tree_remove(void)
{
        nftw(tree, fake_tree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void put(const char *rel, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tree, rel);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, content, strlen(content)), 0);
}

static inline void dir(const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tree, rel);
        assert_int_equal(mkdir(p, 0755), 0);
}

/* The file's content, without the final newline; NULL if it cannot be read. */
static inline char *get(const char *rel)
{
        char *s = NULL;
        _cleanup_free_ char *p = xasprintf("%s/%s", tree, rel);
        if (read_file_at(AT_FDCWD, p, &s, 1 << 20) < 0)
                return NULL;
        size_t n = strlen(s);
        if (n && s[n - 1] == '\n')
                s[n - 1] = 0;
        return s;
}

static inline bool exists(const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tree, rel);
        return access(p, F_OK) == 0;
}

#define assert_file(rel, want)                                                                     \
        do {                                                                                       \
                _cleanup_free_ char *_s = get(rel);                                                \
                if (!_s)                                                                           \
                        fail_msg("%s missing", rel);                                               \
                assert_string_equal(_s, want);                                                     \
        } while (0)
