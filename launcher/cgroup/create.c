/* create.c - making a box's groups: checking the config, deciding which hierarchies get a group
 * (plan), removing a stale leftover, making the directories, enabling cgroup2 controllers, and
 * handing the limits to the v1/v2 writers and the device policy to devices.c. */
#include "cgroup/devices.h"
#include "cgroup/gc.h"
#include "cgroup/layout.h"
#include "cgroup/limits.h"
#include "cgroup/place.h"
#include "cgroup/remove.h"
#include "util/log.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

static bool set(uint64_t v)
{
        return v != BOX_LIMIT_UNSET;
}

/* Ranges the kernel would refuse, checked before anything is created. */
static int check_limits(const struct box_config *c)
{
        const struct box_limits *l = &c->limits;
        char w[PATH_MAX + 128];
        if (set(l->cpu_weight) && (l->cpu_weight < 1 || l->cpu_weight > 10000))
                return log_error_errno(-EINVAL, "%s: %" PRIu64 " is out of range (1..10000)",
                                       cg_where(c, BOX_F_CPU_WEIGHT, w, sizeof(w)), l->cpu_weight);
        if (set(l->io_weight) && (l->io_weight < 1 || l->io_weight > 10000))
                return log_error_errno(-EINVAL, "%s: %" PRIu64 " is out of range (1..10000)",
                                       cg_where(c, BOX_F_IO_WEIGHT, w, sizeof(w)), l->io_weight);
        uint64_t period = PERIOD_DEFAULT_USEC;
        if (set(l->cpu_period_usec) && l->cpu_period_usec != 0) {
                /* The kernel's CFS bandwidth bounds: 1 ms .. 1 s. */
                if (l->cpu_period_usec < 1000 || l->cpu_period_usec > 1000000)
                        return log_error_errno(
                                -EINVAL, "%s: %" PRIu64 "us is out of range (1ms..1s)",
                                cg_where(c, BOX_F_CPU_PERIOD, w, sizeof(w)), l->cpu_period_usec);
                period = l->cpu_period_usec;
        }
        if (set(l->cpu_quota_ppm) &&
            (l->cpu_quota_ppm > UINT64_MAX / period || l->cpu_quota_ppm * period / 1000000 < 1000))
                return log_error_errno(-EINVAL,
                                       "%s: %" PRIu64 " ppm gives less than 1ms per %" PRIu64
                                       "us period, or overflows",
                                       cg_where(c, BOX_F_CPU_QUOTA, w, sizeof(w)), l->cpu_quota_ppm,
                                       period);
        return 0;
}

static int check_config(const struct box_config *c)
{
        const char *name = c->name;
        if (!name || !*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return log_error_errno(-EINVAL, "Invalid box name for a cgroup: \"%s\"",
                                       name ? name : "");
        int r = check_limits(c);
        if (r < 0)
                return r;
        return c->limits.dev_rules_given ? 0 : devices_check(c->devices, c->n_devices);
}

/* --- the plan: which hierarchies get a group ------------------------------------------------ */

/* cgroup2 controller names, indexed by CG2_* bit number. */
static const char *const v2_names[] = {"cpuset", "cpu", "io", "memory", "pids", "hugetlb"};

static const char *v2_name(unsigned bit)
{
        for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                if (bit == 1u << i)
                        return v2_names[i];
        return "?";
}

/* The CG2_* bits named in a cgroup.controllers or cgroup.subtree_control file. */
static unsigned v2_mask_at(int dirfd, const char *file)
{
        _cleanup_free_ char *s = NULL;
        unsigned m = 0;
        if (read_file_at(dirfd, file, &s, 4096) < 0)
                return 0;
        char *save = NULL;
        for (char *tok = strtok_r(s, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
                for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                        if (streq(tok + (*tok == '+'), v2_names[i]))
                                m |= 1u << i;
        return m;
}

/* The cgroup2 controllers the box's group can get: those of its nearest existing ancestor
 * (whose cgroup.subtree_control we may extend if it is ours; a delegated group lists what
 * systemd gave us). */
static unsigned v2_available(const struct box_cgroup *cg)
{
        int rootfd = cg->dirs[CG_V2].rootfd;
        if (rootfd < 0)
                return 0;
        _cleanup_free_ char *p = xstrdup(cg->path);
        for (;;) {
                char *slash = strrchr(p, '/');
                if (slash)
                        *slash = 0;
                else
                        *p = 0;
                _cleanup_free_ char *file = xasprintf("%s%scgroup.controllers", p, *p ? "/" : "");
                if (faccessat(rootfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || !*p)
                        return v2_mask_at(rootfd, file);
        }
}

/* The first I/O throttling field any device sets, or BOX_F_NONE. */
static enum box_field io_max_field(const struct box_limits *l)
{
        for (size_t i = 0; i < l->n_io; i++)
                if (cg_io_field(&l->io[i]) != BOX_F_NONE)
                        return cg_io_field(&l->io[i]);
        return BOX_F_NONE;
}

/* Why a controller cannot be used, for messages. */
static const char *unavailable(const struct box_cgroup *cg, enum cg_hier h)
{
        if (cg->dirs[h].denied == -EROFS)
                return cg->delegated ? "not delegated to this service (its hierarchy is read-only)"
                                     : "read-only here (as inside a container)";
        if (cg->dirs[h].denied)
                return cg->delegated ? "not delegated to this service" : "not writable here";
        return "not available here";
}

/* The controllers the limits need: need[] for v1, cg->v2_ctrls for cgroup2. A hard limit
 * without its controller fails the start; a relative weight alone is a warning, and the box goes
 * without the group. memory and pids are always wanted (stats, pids.current). */
static int plan_limits(struct box_cgroup *cg, const struct box_limits *l, bool need[_CG_HIER_MAX])
{
        const struct {
                enum cg_hier v1;
                unsigned v2;
                bool always;
                enum box_field hard, weight; /* the field that wants it, or BOX_F_NONE */
        } wants[] = {
                {CG_MEMORY, CG2_MEMORY, true,
                 set(l->memory_max)        ? BOX_F_MEMORY_MAX
                 : set(l->memory_high)     ? BOX_F_MEMORY_HIGH
                 : set(l->memory_swap_max) ? BOX_F_MEMORY_SWAP_MAX
                                           : BOX_F_NONE,
                 BOX_F_NONE},
                {CG_PIDS, CG2_PIDS, true, set(l->tasks_max) ? BOX_F_TASKS_MAX : BOX_F_NONE,
                 BOX_F_NONE},
                {CG_CPU, CG2_CPU, false,
                 set(l->cpu_quota_ppm)                               ? BOX_F_CPU_QUOTA
                 : set(l->cpu_period_usec) && l->cpu_period_usec > 0 ? BOX_F_CPU_PERIOD
                 : l->cpu_shares                                     ? BOX_F_CPU_SHARES
                 : l->cpu_burst_usec                                 ? BOX_F_CPU_BURST
                 : l->cpu_rt_runtime1                                ? BOX_F_CPU_RT_RUNTIME
                 : l->cpu_rt_period_usec                             ? BOX_F_CPU_RT_PERIOD
                 : l->cpu_idle                                       ? BOX_F_CPU_IDLE
                                                                     : BOX_F_NONE,
                 set(l->cpu_weight) ? BOX_F_CPU_WEIGHT : BOX_F_NONE},
                {CG_CPUSET, CG2_CPUSET, false,
                 l->cpuset_cpus   ? BOX_F_CPUSET_CPUS
                 : l->cpuset_mems ? BOX_F_CPUSET_MEMS
                                  : BOX_F_NONE,
                 BOX_F_NONE},
                {CG_BLKIO, CG2_IO, false,
                 l->n_io_weights ? BOX_F_IO_WEIGHT_DEVICE : io_max_field(l),
                 set(l->io_weight) ? BOX_F_IO_WEIGHT : BOX_F_NONE},
        };
        unsigned avail = v2_available(cg);

        for (size_t i = 0; i < ARRAY_SIZE(wants); i++) {
                if (!wants[i].hard && !wants[i].weight && !wants[i].always)
                        continue;
                const char *ctrl = cg->layout == CGROUP_LAYOUT_V2 ? v2_name(wants[i].v2)
                                                                  : cg_hier_name(wants[i].v1);
                char w[PATH_MAX + 128], why[128];
                if (cg->dirs[wants[i].v1].rootfd >= 0)
                        need[wants[i].v1] = true;
                else if (avail & wants[i].v2)
                        cg->v2_ctrls |= wants[i].v2;
                else if (wants[i].hard)
                        return log_error_errno(-EOPNOTSUPP, "%s: the %s controller is %s",
                                               cg_where(cg->config, wants[i].hard, w, sizeof(w)),
                                               ctrl, unavailable(cg, wants[i].v1));
                else if (wants[i].weight) {
                        snprintf(why, sizeof(why), "the %s controller is %s", ctrl,
                                 unavailable(cg, wants[i].v1));
                        cg_weight_ignored(cg, wants[i].weight, why);
                } else
                        log_debug("cgroup: no %s group: no key needs it, and the controller is %s",
                                  ctrl, unavailable(cg, wants[i].v1));
        }
        /* OCI unified: files of the box's cgroup2 group, each controller on cgroup2 here. */
        for (char **u = l->unified; u && *u; u++) {
                char w[PATH_MAX + 128], ctrl[32];
                snprintf(ctrl, sizeof(ctrl), "%.*s", (int)strcspn(*u, "."), *u);
                unsigned bit = 0;
                for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                        if (streq(ctrl, v2_names[i]))
                                bit = 1u << i;
                if (cg->dirs[CG_V2].rootfd < 0 || (!bit && !streq(ctrl, "cgroup")) ||
                    (bit && !(avail & bit)))
                        return log_error_errno(-EOPNOTSUPP,
                                               "%s: %.*s: the %s controller is not on cgroup2 here",
                                               cg_where(cg->config, BOX_F_UNIFIED, w, sizeof(w)),
                                               (int)strcspn(*u, "="), *u, ctrl);
                cg->v2_ctrls |= bit;
                if (!bit && !cg->v2_ctrls)
                        return log_error_errno(-EOPNOTSUPP,
                                               "%s: %.*s: the box has no cgroup2 group here",
                                               cg_where(cg->config, BOX_F_UNIFIED, w, sizeof(w)),
                                               (int)strcspn(*u, "="), *u);
        }
        /* hugetlb: only through cgroup2 (on a hybrid host its unified hierarchy has it). */
        if (l->n_hugepages) {
                char w[PATH_MAX + 128];
                if (!(avail & CG2_HUGETLB))
                        return log_error_errno(-EOPNOTSUPP,
                                               "%s: the cgroup2 hugetlb controller is not "
                                               "available here",
                                               cg_where(cg->config, BOX_F_HUGEPAGES, w, sizeof(w)));
                cg->v2_ctrls |= CG2_HUGETLB;
        }
        return 0;
}

/* Every group costs a mkdir, a join and an rmdir at each start: an application box gets,
 * besides its limits, only devices (the device policy); `pause` makes its freezer group when
 * asked, and `stats` sums CPU time from /proc without cpuacct. A machine box also gets cpuacct
 * and freezer, and name=systemd and (on a hybrid host) the cgroup2 group, which its systemd
 * manages. Where the devices hierarchy is read-only or absent (inside a container) the cgroup2
 * group carries the device policy as a BPF program; a box that would get no group at all (no
 * writable controller) still gets one, in cgroup2 or name=systemd, that holds its processes. */
static void plan_others(struct box_cgroup *cg, unsigned flags, bool need[_CG_HIER_MAX])
{
        bool machine = flags & CGROUP_MACHINE;
        static const enum cg_hier extra[] = {CG_DEVICES, CG_CPUACCT, CG_FREEZER};
        for (size_t i = 0; i < (machine ? ARRAY_SIZE(extra) : 1); i++)
                if (cg->dirs[extra[i]].rootfd >= 0)
                        need[extra[i]] = true;
        /* Delegated: the payload/ group in both halves systemd gave us, as our supervisor/. */
        if ((machine || cg->delegated) && cg->dirs[CG_SYSTEMD].rootfd >= 0)
                need[CG_SYSTEMD] = true;
        if (cg->dirs[CG_V2].rootfd >= 0 &&
            (machine || cg->layout == CGROUP_LAYOUT_V2 || cg->v2_ctrls || !need[CG_DEVICES]))
                need[CG_V2] = true;
        bool any = false;
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                any |= need[h];
        if (!any && cg->dirs[CG_SYSTEMD].rootfd >= 0)
                need[CG_SYSTEMD] = true; /* v1 without cgroup2: the group that tracks processes */
        /* An alias (cpu,cpuacct mounted once) shares the group of the first name. */
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                if (cg->dirs[h].alias_of >= 0) {
                        if (need[h])
                                need[cg->dirs[h].alias_of] = true;
                        need[h] = false;
                }
}

/* Decides which hierarchies get a group: need[] for v1, cg->v2_ctrls for cgroup2. */
static int plan(struct box_cgroup *cg, const struct box_limits *l, unsigned flags,
                bool need[_CG_HIER_MAX])
{
        int r = plan_limits(cg, l, need);
        if (r < 0)
                return r;
        plan_others(cg, flags, need);
        if (need[CG_DEVICES] || need[CG_V2])
                return 0;
        /* Neither a devices group nor a BPF program. A read-only devices hierarchy means a
         * container manager above us holds our processes in its own devices group, whose
         * policy binds the box too (the box's /dev is the minimal set anyway): said, not
         * silent. Without any devices controller nothing limits the box's device access. */
        if (cg->dirs[CG_DEVICES].denied) {
                log_warn("The devices cgroup is %s: the box's device access is limited by the "
                         "enclosing container's device policy, not by its own",
                         unavailable(cg, CG_DEVICES));
                return 0;
        }
        return log_error_errno(-EOPNOTSUPP,
                               "No devices controller: cannot enforce the device policy");
}

/* --- making the groups ------------------------------------------------------------------------ */

/* A group named by the config (cgroupsPath) may be someone else's: never removed. runc and crun
 * join one that exists as long as no process is in it (a manager may make the group first; the
 * validation suite reuses one), so it is reused; one with processes belongs to a live container. */
static int check_named(struct box_cgroup *cg)
{
        char w[PATH_MAX + 128];
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                const struct cg_dir *d = &cg->dirs[h];
                if (d->rootfd < 0 || d->alias_of >= 0)
                        continue;
                _cleanup_close_ int fd = openat(d->rootfd, cg->path,
                                                O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 && errno == ENOENT)
                        continue;
                if (fd < 0)
                        return log_error_errno(
                                -errno, "%s: %s in %s",
                                cg_where(cg->config, BOX_F_CGROUP_PATH, w, sizeof(w)), cg->path,
                                cg_hier_name(h));
                _cleanup_free_ pid_t *v = NULL;
                size_t n = 0;
                int r = cg_collect_pids(fd, &v, &n);
                if (r < 0)
                        return log_error_errno(
                                r, "%s: reading the processes of %s",
                                cg_where(cg->config, BOX_F_CGROUP_PATH, w, sizeof(w)), cg->path);
                if (n > 0)
                        return log_error_errno(
                                -EBUSY,
                                "%s: the group %s exists and has processes (%s, pid "
                                "%d): another container's",
                                cg_where(cg->config, BOX_F_CGROUP_PATH, w, sizeof(w)), cg->path,
                                cg_hier_name(h), (int)v[0]);
                cg->reuse = true;
        }
        if (cg->reuse)
                log_debug("cgroup %s exists without processes: reused", cg->path);
        return 0;
}

/* Same path there already: the leftover of a box whose supervisor died (the state lock makes
 * sure no live box has this name). */
static int remove_stale(struct box_cgroup *cg)
{
        if (cg->config && cg->config->limits.path)
                return check_named(cg);
        for (size_t h = 0; h < _CG_HIER_MAX; h++)
                if (cg->dirs[h].rootfd >= 0 && cg->dirs[h].alias_of < 0 &&
                    faccessat(cg->dirs[h].rootfd, cg->path, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                        log_warn("Removing the stale cgroup %s left by an earlier run", cg->path);
                        int r = cg_gc_at(cg->root, cg->path);
                        if (r < 0)
                                return log_error_errno(r, "Cannot remove the stale cgroup %s",
                                                       cg->path);
                        return 0;
                }
        return 0;
}

/* A new v1 cpuset group starts with empty cpus/mems and cannot take tasks: copy the parent's
 * into each component of path that is still empty. */
static int seed_cpuset(const struct box_cgroup *cg, int rootfd, const char *path)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        _cleanup_free_ char *p = xstrdup(path);
        _cleanup_close_ int parent = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return -errno;
        char *save_comp = NULL;
        for (char *comp = strtok_r(p, "/", &save_comp); comp;
             comp = strtok_r(NULL, "/", &save_comp)) {
                _cleanup_close_ int fd = openat(parent, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                        _cleanup_free_ char *cur = NULL, *up = NULL;
                        if (read_file_at(fd, files[i], &cur, 4096) == 0 &&
                            cur[strspn(cur, " \n")] != 0)
                                continue;
                        int r = read_file_at(parent, files[i], &up, 4096);
                        if (r < 0)
                                return log_error_errno(r, "Cannot read the parent's %s", files[i]);
                        up[strcspn(up, "\n")] = 0;
                        r = cg_write(cg, fd, files[i], up, false);
                        if (r < 0)
                                return log_error_errno(r, "Cannot seed %s of %s", files[i], comp);
                }
                closep(&parent);
                parent = TAKE_FD(fd);
        }
        return 0;
}

/* cgroup2 hands a controller to a group only if every ancestor enables it for its children.
 * Only missing ones are written: ancestors above a delegated group belong to systemd. */
static int enable_v2_controllers(const struct box_cgroup *cg)
{
        if (cg->dirs[CG_V2].fd < 0 || !cg->v2_ctrls)
                return 0;
        _cleanup_free_ char *p = xstrdup(cg->path);
        size_t len = strlen(p);
        /* Every proper prefix of the path, from the hierarchy root (".") down to the parent. */
        for (size_t end = 0; end < len; end++) {
                if (end != 0 && p[end] != '/')
                        continue;
                char saved = p[end];
                p[end] = 0;
                const char *dir = end == 0 ? "." : p;
                _cleanup_close_ int fd =
                        openat(cg->dirs[CG_V2].rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int r = fd < 0 ? negative_errno() : 0;
                char buf[64] = "";
                unsigned missing =
                        fd < 0 ? 0 : cg->v2_ctrls & ~v2_mask_at(fd, "cgroup.subtree_control");
                for (size_t i = 0; i < ARRAY_SIZE(v2_names); i++)
                        if (missing & (1u << i)) {
                                size_t n = strlen(buf);
                                snprintf(buf + n, sizeof(buf) - n, "%s+%s", n ? " " : "",
                                         v2_names[i]);
                        }
                if (r == 0 && buf[0])
                        r = cg_write(cg, fd, "cgroup.subtree_control", buf, false);
                if (r < 0)
                        log_error_errno(r, "Cannot enable controllers \"%s\" in %s", buf,
                                        end == 0 ? "the cgroup2 root" : dir);
                p[end] = saved;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int make_dir(struct box_cgroup *cg, enum cg_hier h)
{
        struct cg_dir *d = &cg->dirs[h];
        _cleanup_free_ char *parent = xstrdup(cg->path);
        char *slash = strrchr(parent, '/');
        int r;

        /* Retry: a concurrent boxlaunch may drop an empty boxlaunch/ between our two mkdirs. */
        for (int attempt = 0;; attempt++) {
                if (slash) {
                        *slash = 0;
                        r = mkdir_p_at(d->rootfd, parent, 0755);
                        *slash = '/';
                        if (r < 0)
                                return log_error_errno(r, "Cannot create cgroup %s in %s", parent,
                                                       cg_hier_name(h));
                }
                if (mkdirat(d->rootfd, cg->path, 0755) == 0)
                        break;
                r = -errno;
                if (r == -ENOENT && attempt < 3)
                        continue;
                if (r == -EEXIST && cg->reuse) {
                        d->reused = true;
                        break;
                }
                if (r == -EEXIST)
                        return log_error_errno(r, "cgroup %s exists already in %s", cg->path,
                                               cg_hier_name(h));
                return log_error_errno(r, "Cannot create cgroup %s in %s", cg->path,
                                       cg_hier_name(h));
        }
        d->fd = openat(d->rootfd, cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (d->fd < 0) {
                r = negative_errno();
                if (!d->reused)
                        (void)unlinkat(d->rootfd, cg->path, AT_REMOVEDIR);
                return log_error_errno(r, "Cannot open cgroup %s", cg->path);
        }
        return 0;
}

/* The group in every hierarchy of need[]; an alias hierarchy shares the group made under its
 * first name. */
static int make_groups(struct box_cgroup *cg, const bool need[_CG_HIER_MAX])
{
        for (enum cg_hier h = 0; h < _CG_HIER_MAX; h++) {
                if (!need[h])
                        continue;
                int r = make_dir(cg, h);
                if (r < 0)
                        return r;
                if (h == CG_CPUSET && (r = seed_cpuset(cg, cg->dirs[h].rootfd, cg->path)) < 0)
                        return r;
        }
        for (size_t h = 0; h < _CG_HIER_MAX; h++) {
                int o = cg->dirs[h].alias_of;
                if (o >= 0 && cg->dirs[o].fd >= 0) {
                        cg->dirs[h].fd = fcntl(cg->dirs[o].fd, F_DUPFD_CLOEXEC, 3);
                        if (cg->dirs[h].fd < 0)
                                return negative_errno();
                }
        }
        return 0;
}

/* Everything after the groups exist: controllers, limits, device policy. */
static int configure_groups(struct box_cgroup *cg, const struct box_config *c)
{
        int r = enable_v2_controllers(cg);
        if (r < 0)
                return r;
        r = cg_v1_write_limits(cg, &c->limits);
        if (r < 0)
                return r;
        r = cg_v2_write_limits(cg, &c->limits);
        if (r < 0)
                return r;
        return devices_apply(cg, c->devices, c->n_devices);
}

/* --- the public entry ------------------------------------------------------------------------ */

int cgroup_create(const char *root, const struct box_config *c, struct box_cgroup **ret)
{
        return cgroup_create_for(root, c, CGROUP_MACHINE, ret);
}

int cgroup_create_for(const char *root, const struct box_config *c, unsigned flags,
                      struct box_cgroup **ret)
{
        _cleanup_(cg_freep) struct box_cgroup *cg = NULL;
        bool need[_CG_HIER_MAX] = {false};

        int r = check_config(c);
        if (r < 0)
                return r;
        r = cg_new(root, &cg);
        if (r < 0)
                return r;
        cg->config = c; /* borrowed, for the messages until we return */
        r = cg_place(cg, c->name, c->limits.parent);
        if (r < 0)
                return r;
        cg_drop_unwritable(cg);
        r = plan(cg, &c->limits, flags, need);
        if (r < 0)
                return r;
        r = remove_stale(cg);
        if (r < 0)
                return r;

        r = make_groups(cg, need);
        if (r >= 0)
                r = configure_groups(cg, c);
        if (r < 0) {
                cgroup_destroy(TAKE_PTR(cg));
                return r;
        }
        log_debug("cgroup %s created (%s)", cg->path, cgroup_layout_to_string(cg->layout));
        cg->config = NULL;
        *ret = TAKE_PTR(cg);
        return 0;
}
