/* nsjoin.c - joining namespaces by path, and a time namespace with offsets. */
#include "launch/nsjoin.h"

#include "util/log.h"

#include <fcntl.h>
#include <sched.h>

static const int ns_flags[_BOX_NS_MAX] = {
        [BOX_NS_MNT] = CLONE_NEWNS,        [BOX_NS_PID] = CLONE_NEWPID,
        [BOX_NS_NET] = CLONE_NEWNET,       [BOX_NS_IPC] = CLONE_NEWIPC,
        [BOX_NS_UTS] = CLONE_NEWUTS,       [BOX_NS_USER] = CLONE_NEWUSER,
        [BOX_NS_CGROUP] = CLONE_NEWCGROUP, [BOX_NS_TIME] = CLONE_NEWTIME,
};

/* The kernel's setns order: the user namespace first (validation refuses to join one for now:
 * the box's pid and mount namespaces would belong to the host's). The mount namespace after the
 * others: the box's root, mounts and pivot_root are then made in it (as runc does), and its
 * sysfs shows the joined network namespace. The pid namespace is the supervisor's business
 * (nsjoin_pid_for_children()). */
static const enum box_ns_type order[] = {BOX_NS_USER,   BOX_NS_IPC, BOX_NS_UTS, BOX_NS_NET,
                                         BOX_NS_CGROUP, BOX_NS_MNT, BOX_NS_TIME};

static int time_offsets(const struct box_config *c)
{
        if (unshare(CLONE_NEWTIME) < 0)
                return log_error_errno(-errno, "%s: creating the time namespace",
                                       BOX_WHERE(c, BOX_F_TIME_OFFSETS, NULL, 0));
        char text[128];
        snprintf(text, sizeof(text), "monotonic %lld %u\nboottime %lld %u\n",
                 (long long)c->time_offset_secs[0], c->time_offset_nsecs[0],
                 (long long)c->time_offset_secs[1], c->time_offset_nsecs[1]);
        /* Still the host's /proc here: "self" is us there too. */
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
                return log_error_errno(-errno, "%s: writing timens_offsets",
                                       BOX_WHERE(c, BOX_F_TIME_OFFSETS, NULL, 0));
        return 0;
}

int nsjoin_apply(const struct box_config *c)
{
        for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
                const char *path = c->ns_join[order[i]];
                if (!path)
                        continue;
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return log_error_errno(-errno, "%s: opening %s",
                                               BOX_WHERE(c, BOX_F_NS_JOIN, NULL, 0), path);
                if (setns(fd, ns_flags[order[i]]) < 0)
                        return log_error_errno(
                                -errno, "%s: joining %s%s", BOX_WHERE(c, BOX_F_NS_JOIN, NULL, 0),
                                path, errno == EINVAL ? " (not a namespace of that type)" : "");
        }
        if (c->ns_time && c->time_offsets_set)
                return time_offsets(c);
        return 0;
}

int nsjoin_pid_for_children(const struct box_config *c, int *ret_own)
{
        *ret_own = -1;
        const char *path = c->ns_join[BOX_NS_PID];
        if (!path)
                return 0;
        _cleanup_close_ int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (own < 0)
                return log_error_errno(-errno, "opening our own pid namespace");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "%s: opening %s",
                                       BOX_WHERE(c, BOX_F_NS_JOIN, NULL, 0), path);
        if (setns(fd, CLONE_NEWPID) < 0)
                return log_error_errno(
                        -errno, "%s: joining %s%s", BOX_WHERE(c, BOX_F_NS_JOIN, NULL, 0), path,
                        errno == EINVAL ? " (not a pid namespace, or not below ours)" : "");
        *ret_own = TAKE_FD(own);
        return 0;
}

void nsjoin_pid_restore(int own)
{
        if (own < 0)
                return;
        /* Our own active namespace: always allowed. */
        if (setns(own, CLONE_NEWPID) < 0)
                log_warn("going back to our own pid namespace: %m");
        close(own);
}
