/* seccomp_profiles.h - the two default allow-lists the seccomp filter is built from (seccomp.c):
 * Docker's semantics for application boxes, systemd-nspawn's for machine boxes (Boot=yes). */
#pragma once
#include "util/util.h"

/* A system call or "@group" (syscallnames.h), allowed always or only when the box keeps `cap`
 * (without the capability the kernel refuses most of them anyway, and the filter keeps the
 * attack surface off the table). Some calls are also reachable through argument rules when not
 * allowed as a whole (seccomp.c, add_fallback_rules()). */
struct profile_entry {
        char name[29]; /* an array, not a pointer: the tables need no relocation at start */
        int8_t cap;    /* -1: always */
};

struct seccomp_profile {
        const char *name; /* "application", "machine": part of the cache key */
        const struct profile_entry *entries;
        size_t n;
};

extern const struct seccomp_profile seccomp_profile_app, seccomp_profile_machine;

/* The capabilities some entry of either profile depends on: the only bits of a capability set
 * that change a filter. */
uint64_t seccomp_profiles_cap_mask(void);
