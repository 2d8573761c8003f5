/* ns.c - namespace types. */
#include "util/ns.h"

#include "util/syscalls.h"

#include <fcntl.h>
#include <sys/stat.h>

const struct ns_type ns_types[8] = {
        {"user", CLONE_NEWUSER},     {"mnt", CLONE_NEWNS},    {"uts", CLONE_NEWUTS},
        {"ipc", CLONE_NEWIPC},       {"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID},
        {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int ns_differing(int nsdir, int *ret)
{
        int flags = 0;
        for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++) {
                char self[64];
                struct stat theirs, ours;
                if (fstatat(nsdir, ns_types[i].name, &theirs, 0) < 0) {
                        if (errno == ENOENT)
                                continue; /* not compiled into this kernel */
                        return -errno;
                }
                snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_types[i].name);
                if (stat(self, &ours) < 0)
                        return -errno;
                if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev)
                        flags |= ns_types[i].flag;
        }
        *ret = flags;
        return 0;
}
