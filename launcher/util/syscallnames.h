/* syscallnames.h - system call names, and the groups of them systemd documents in
 * systemd.exec(5) ("@file-system", "@mount", ...): what SystemCallFilter= may name. Used by the
 * front-ends to check names and by the seccomp filter's compiler (launch/seccomp.c). */
#pragma once
#include "util/util.h"

struct syscall_group {
        const char *name;    /* "@mount" */
        const char *members; /* "a\0b\0...\0": NUL-separated, "" last; may name other groups */
};

/* The group called name ("@mount"), or NULL. */
const struct syscall_group *syscall_group_find(const char *name);

/* A known "@group", or a system call name libseccomp knows (on any architecture). */
bool syscall_name_known(const char *name);

/* Prints "@group: a b c" for every group. */
void syscall_groups_dump(FILE *f);
