/* ns.h - the kernel's namespace types by name, CLONE_* flag and /proc/PID/ns entry, once. */
#pragma once
#include "util/util.h"

struct ns_type {
        const char *name; /* the /proc/PID/ns entry: "mnt", "net", ... */
        int flag;         /* CLONE_NEW* */
};

/* In the order setns() must enter them: user first (it grants the rights for the rest). */
extern const struct ns_type ns_types[8];

/* The CLONE_NEW* flags of the namespaces of the process whose /proc/PID/ns directory is nsdir
 * that differ from ours (a type the kernel lacks counts as equal). Returns 0 or -errno. */
int ns_differing(int nsdir, int *ret);
