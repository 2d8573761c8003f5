/* rootfs.c - the root file system and the API file systems inside the box. */
#include "launch/rootfs.h"

#include "launch/dev.h"
#include "launch/mountfd.h"
#include "launch/mounts.h"
#include "util/log.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

/* The box's own cgroup subtree at /sys/fs/cgroup, as a booted systemd expects it (the
 * Container Interface): a tmpfs holding one bind mount per hierarchy of the box's group — the
 * cgroup namespace makes that group look like the root. Controllers are read-only; name=systemd
 * and cgroup2, where systemd keeps its own tree, are writable. Binds work in a user namespace,
 * where mounting a v1 hierarchy would not. */
int rootfs_mount_cgroups(int rootfd, const char *target, const char *cgpath, bool rw)
{
        static const char *const hiers[] = {"memory", "pids",    "cpu",     "cpuacct", "cpuset",
                                            "blkio",  "freezer", "devices", "systemd", "unified"};
        struct statfs sf;
        if (statfs("/sys/fs/cgroup", &sf) < 0)
                return log_error_errno(-errno, "inspecting /sys/fs/cgroup");
        int r;
        if ((long)sf.f_type == CGROUP2_SUPER_MAGIC) {
                _cleanup_free_ char *src = xasprintf("/sys/fs/cgroup/%s", cgpath);
                r = bind_at(rootfd, src, target, false,
                            MS_NOSUID | MS_NODEV | MS_NOEXEC | (rw ? 0 : MS_RDONLY), 0);
                return r < 0 ? log_error_errno(r, "binding the box's cgroup %s", src) : 0;
        }
        r = mount_new_fs_at(rootfd, target, "tmpfs", "mode=0755",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (r < 0)
                return log_error_errno(r, "mounting tmpfs on %s", target);
        for (size_t i = 0; i < ARRAY_SIZE(hiers); i++) {
                _cleanup_free_ char *src = xasprintf("/sys/fs/cgroup/%s/%s", hiers[i], cgpath);
                _cleanup_free_ char *dst = xasprintf("%s/%s", target, hiers[i]);
                struct stat st;
                if (stat(src, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue; /* the box has no group in this hierarchy */
                bool writable = rw || streq(hiers[i], "systemd") || streq(hiers[i], "unified");
                r = bind_at(rootfd, src, dst, false,
                            MS_NOSUID | MS_NODEV | MS_NOEXEC | (writable ? 0 : MS_RDONLY), 0);
                if (r < 0)
                        return log_error_errno(r, "binding the box's cgroup %s", src);
        }
        /* Nothing else may be created next to the hierarchies. */
        _cleanup_close_ int t = in_root(rootfd, target, O_PATH | O_NOFOLLOW);
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
        if (t < 0 || mount_setattr(t, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                return log_error_errno(t < 0 ? t : -errno, "making %s read-only", target);
        return 0;
}

/* The host's time zone, as systemd-nspawn's Timezone=auto does for a writable root: when the host's
 * /etc/localtime names a zone the image also has, the image's /etc/localtime is pointed at it (a
 * relative symlink, as the Container Interface asks). The one change Boot=yes makes to a writable
 * image, and only where /etc is a real directory and /etc/localtime a symlink or absent: nothing is
 * followed, and no file of the image's is replaced. A read-only root keeps its own. */
static void setup_timezone(int rootfd, const struct box_config *c)
{
        char target[PATH_MAX];
        ssize_t n = readlink("/etc/localtime", target, sizeof(target) - 1);
        if (c->read_only || n <= 0)
                return;
        target[n] = 0;
        const char *zone = strstr(target, "zoneinfo/");
        if (!zone)
                return;
        zone += strlen("zoneinfo/");
        _cleanup_free_ char *inside = xasprintf("/usr/share/zoneinfo/%s", zone);
        _cleanup_free_ char *link = xasprintf("../usr/share/zoneinfo/%s", zone);
        _cleanup_close_ int z = in_root(rootfd, inside, O_PATH);
        _cleanup_close_ int etc =
                openat2_fd(rootfd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
                           RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (z < 0 || etc < 0)
                return;
        struct stat st;
        if (fstatat(etc, "localtime", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode))
                return;
        char cur[PATH_MAX];
        ssize_t k = readlinkat(etc, "localtime", cur, sizeof(cur) - 1);
        if (k > 0 && (size_t)k == strlen(link) && memcmp(cur, link, (size_t)k) == 0)
                return;
        if (unlinkat(etc, "localtime", 0) < 0 && errno != ENOENT)
                return;
        (void)symlinkat(link, etc, "localtime");
}

/* With the host's network, the host's resolv.conf over the image's, read-only (nspawn's
 * bind-host) — only when the image has a regular file there: nothing is created, and a symlink
 * (to a file of the image's or one of systemd's in /run) is the image's choice, left alone. */
static int bind_resolv_conf(int rootfd)
{
        _cleanup_close_ int t = in_root(rootfd, "/etc/resolv.conf", O_PATH | O_NOFOLLOW);
        struct stat st;
        if (t < 0 || fstat(t, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        _cleanup_close_ int m = clone_source("/etc/resolv.conf", false);
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                           MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
        int r = m < 0 ? m : mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ? -errno : 0;
        if (r == 0)
                r = attach(m, t);
        return r < 0 ? log_error_errno(r, "binding the host's /etc/resolv.conf") : 0;
}

/* What a booted init expects of its container manager (systemd's Container Interface): /run and
 * /tmp as tmpfs, /run/host with the host's os-release and the manager's name, the box's cgroup
 * subtree, and with the host's network the host's resolv.conf (read-only, as nspawn's
 * bind-host). */
static int setup_machine(int rootfd, const struct box_config *c, const char *cgpath)
{
        _cleanup_close_ int rundir = api_dir(rootfd, "run", "the machine's /run");
        if (rundir < 0)
                return rundir;
        _cleanup_close_ int tmpdir = api_dir(rootfd, "tmp", "the machine's /tmp");
        if (tmpdir < 0)
                return tmpdir;
        _cleanup_close_ int run = -EBADF;
        int r = mount_new_fs_on(rundir, "tmpfs", "mode=0755,size=20%",
                                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &run);
        if (r < 0)
                return log_error_errno(r, "mounting tmpfs on /run");
        r = mount_new_fs_on(tmpdir, "tmpfs", "mode=1777,size=20%",
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, NULL);
        if (r < 0)
                return log_error_errno(r, "mounting tmpfs on /tmp");
        /* `run` is the new tmpfs itself. */
        if (mkdirat(run, "host", 0755) < 0)
                return log_error_errno(-errno, "creating /run/host");
        _cleanup_close_ int host =
                openat(run, "host", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *osr = NULL;
        if (host < 0)
                return log_error_errno(-errno, "opening /run/host");
        if (read_file_at(AT_FDCWD, "/etc/os-release", &osr, 1 << 16) < 0 &&
            read_file_at(AT_FDCWD, "/usr/lib/os-release", &osr, 1 << 16) < 0)
                osr = xstrdup("");
        _cleanup_close_ int f1 = openat(host, "os-release", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
        _cleanup_close_ int f2 =
                openat(host, "container-manager", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
        if (f1 < 0 || f2 < 0 || write_all(f1, osr, strlen(osr)) < 0 ||
            write_all(f2, "boxlaunch\n", 10) < 0)
                return log_error_errno(-EIO, "writing /run/host");
        r = read_only_path(rootfd, "/run/host");
        if (r < 0)
                return log_error_errno(r, "making /run/host read-only");
        r = rootfs_mount_cgroups(rootfd, "/sys/fs/cgroup", cgpath, false);
        if (r < 0)
                return r;
        setup_timezone(rootfd, c);
        if (c->net == BOX_NET_HOST && (r = bind_resolv_conf(rootfd)) < 0)
                return r;
        return 0;
}

int rootfs_prepare(const struct box_config *c, const struct box_runtime *rt, int root_dir,
                   int root_mount_fd, int *ret_rootfd)
{
        _cleanup_close_ int m = root_mount_fd;
        int r;

        /* Bind sources that ask for slave or shared propagation are copied while they still
         * share the host's peer groups; everything else is copied later, from a private tree. */
        _cleanup_(mount_sources_done) struct mount_sources pre = {0};
        r = mounts_clone_shared(c, rt->mounts, rt->n_mounts, &pre);
        if (r < 0)
                return r;
        /* Idmapped binds come ready from the host (launch.c), the config's mounts first. */
        for (size_t i = 0; rt->idmap_fd && i < c->n_mounts && i < rt->n_mounts; i++)
                if (rt->idmap_fd[i] >= 0 && pre.fd[i] < 0)
                        pre.fd[i] = fcntl(rt->idmap_fd[i], F_DUPFD_CLOEXEC, 3);

        /* Nothing mounted from here on may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return log_error_errno(-errno, "making / private");

        /* The root becomes a mount point of its own (pivot_root needs one), attached through
         * the directory fd: no path lookup, so nothing can be swapped in between. */
        if (m < 0)
                m = open_tree(root_dir, "",
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (m < 0)
                return log_error_errno(-errno, "cloning root directory %s", c->root);
        /* A read-only image is never written to: mount points it lacks are made in a private
         * layer over it (the box sees the image read-only all the same). */
        bool layered = c->ephemeral ||
                       (c->read_only &&
                        (c->api_listed ? mounts_need_layer_listed(rt->mounts, rt->n_mounts, m)
                                       : mounts_need_layer(rt->mounts, rt->n_mounts, c->boot, m)));
        if (layered && (r = mounts_overlay_root(root_dir, &m)) < 0)
                return log_error_errno(r, "overlaying root directory %s%s%s", c->root,
                                       c->ephemeral ? " for " : " for missing mount points",
                                       c->ephemeral ? BOX_WHERE(c, BOX_F_EPHEMERAL, NULL, 0) : "");
        if (move_mount(m, "", root_dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return log_error_errno(-errno, "mounting root directory %s", c->root);
        /* The detached-mount fd now names the root of the attached tree. */
        int rootfd = m;

        if (c->api_listed) {
                /* OCI: the mounts list is the whole layout, in its order; then the default
                 * device nodes in whatever it put on /dev. */
                /* Missing targets are created: in the writable image or layer, or on an earlier
                 * file system of the list (mounts_need_layer_listed()). */
                r = mounts_attach(c, rootfd, rt->mounts, rt->n_mounts, &pre, true, rt->cgroup_path);
                if (r >= 0)
                        r = dev_default_nodes(rootfd, c, rt->userns);
                if (r < 0)
                        return r;
                *ret_rootfd = TAKE_FD(m);
                return 0;
        }

        _cleanup_close_ int procdir = api_dir(rootfd, "proc", "the box's /proc");
        if (procdir < 0)
                return procdir;
        _cleanup_close_ int sysdir = api_dir(rootfd, "sys", "the box's /sys");
        if (sysdir < 0)
                return sysdir;
        r = mount_new_fs_on(procdir, "proc", NULL,
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
        if (r < 0)
                return log_error_errno(r, "mounting /proc");

        r = mount_new_fs_on(
                sysdir, "sysfs", NULL,
                MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
        if (r == -EPERM) {
                /* A user namespace that does not own the network namespace may not mount
                 * sysfs: show the host's, read-only. */
                _cleanup_close_ int sysm = open_tree(
                        AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
                struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                   MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
                if (sysm < 0 ||
                    mount_setattr(sysm, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
                        return log_error_errno(-errno, "binding /sys");
                r = attach(sysm, sysdir);
        }
        if (r < 0)
                return log_error_errno(r, "mounting /sys");

        r = dev_populate(rootfd, c, rt->userns);
        if (r < 0)
                return r;

        if (c->boot && (r = setup_machine(rootfd, c, rt->cgroup_path)) < 0)
                return r;
        r = mounts_attach(c, rootfd, rt->mounts, rt->n_mounts, &pre, layered || !c->read_only,
                          rt->cgroup_path);
        if (r < 0)
                return r;
        *ret_rootfd = TAKE_FD(m);
        return 0;
}

int rootfs_enter(const struct box_config *c, int rootfd)
{
        if (fchdir(rootfd) < 0)
                return log_error_errno(-errno, "chdir %s", c->root);
        /* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only
         * the box's tree, without needing a directory for the old root inside the image. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return log_error_errno(-errno, "pivot_root into %s", c->root);
        if (umount2(".", MNT_DETACH) < 0)
                return log_error_errno(-errno, "detaching the old root");
        if (chdir("/") < 0)
                return log_error_errno(-errno, "chdir /");

        if (c->read_only) {
                struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
                if (mount_setattr(AT_FDCWD, "/", 0, &a, sizeof(a)) < 0)
                        return log_error_errno(-errno, "making the root read-only");
        }
        if (c->rootfs_propagation) {
                struct mount_attr a = {.propagation = c->rootfs_propagation & ~MS_REC};
                if (mount_setattr(AT_FDCWD, "/", c->rootfs_propagation & MS_REC ? AT_RECURSIVE : 0,
                                  &a, sizeof(a)) < 0)
                        return log_error_errno(-errno, "%s: setting the root's propagation",
                                               BOX_WHERE(c, BOX_F_ROOTFS_PROPAGATION, NULL, 0));
        }
        return 0;
}
