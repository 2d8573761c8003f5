/* seccomp.h - the box's system call filter: an allow-list built from a default profile
 * (seccomp_profiles.h) and SystemCallFilter='s names and groups (util/syscallnames.h), compiled
 * in the supervisor (with an on-disk cache) and loaded in the child right before execve. */
#pragma once
#include "core/config.h"

#include <linux/filter.h>

struct box_seccomp_prog {
        struct sock_filter *filter;
        unsigned short len;
        unsigned flags; /* SECCOMP_FILTER_FLAG_* to load it with (a literal filter's) */
};

/* Compiles the filter for c with the resolved capability set caps (which gates the mount family,
 * namespaces, @clock, @module, ...): Docker's semantics for an application box, systemd-nspawn's
 * for a machine box (c->boot). Uses the cache in $BOXLAUNCH_CACHE_DIR/seccomp (default
 * /var/cache/boxlaunch/seccomp) and falls back to compiling on any cache problem. Returns 0 with
 * len == 0 when seccomp is disabled; -EINVAL for an unknown group name. */
int seccomp_compile(const struct box_config *c, uint64_t caps, struct box_seccomp_prog *ret);
void seccomp_prog_free(struct box_seccomp_prog *p);

/* In the child, last step before execve. Needs no_new_privs or CAP_SYS_ADMIN; the caller orders
 * that. A program with len == 0 is a no-op. */
int seccomp_load_prog(const struct box_seccomp_prog *p);
