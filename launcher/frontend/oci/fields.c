/* fields.c - every field of the OCI runtime spec's config.json that concerns Linux, with what
 * boxlaunch does with it. The parser (spec.c) rejects a REJECTED field by this table's note, so
 * the table and the behaviour cannot drift apart; docs/oci-fields.md is generated from it
 * (oci_fields_markdown(), checked by tests/unit/test_oci_spec.c). */
#include "frontend/oci/oci.h"

const struct oci_field oci_fields[] = {
        {"ociVersion", OCI_NOTE, "must be 1.x (1.0.0 to 1.2.x); checked"},
        {"process", OCI_HONOURED, "required for a box to run"},
        {"process.terminal", OCI_NOTE,
         "a pty from the box's devpts becomes stdio and /dev/console (`boxlaunch DIR`: relayed to "
         "the caller's terminal; runtime CLI: sent over --console-socket)"},
        {"process.consoleSize", OCI_HONOURED, "the pty's size"},
        {"process.consoleSize.height", OCI_HONOURED, ""},
        {"process.consoleSize.width", OCI_HONOURED, ""},
        {"process.user", OCI_HONOURED, ""},
        {"process.user.uid", OCI_NOTE,
         "taken as a number; need not exist in the image's /etc/passwd (HOME comes from there when "
         "it does)"},
        {"process.user.gid", OCI_HONOURED, ""},
        {"process.user.umask", OCI_HONOURED, ""},
        {"process.user.additionalGids", OCI_NOTE,
         "exactly these groups; none are added from the image's /etc/group"},
        {"process.user.username", OCI_IGNORED, "Windows only"},
        {"process.args", OCI_HONOURED, ""},
        {"process.commandLine", OCI_IGNORED, "Windows only"},
        {"process.env", OCI_NOTE,
         "exactly this environment; HOME is added when missing, from the image's /etc/passwd or "
         "\"/\""},
        {"process.cwd", OCI_HONOURED, "must be absolute"},
        {"process.capabilities", OCI_NOTE,
         "the five sets as given; without the object the process has no capabilities. A capability "
         "outside the host's own bounding set is dropped with a debug message"},
        {"process.capabilities.bounding", OCI_HONOURED, ""},
        {"process.capabilities.effective", OCI_HONOURED, ""},
        {"process.capabilities.inheritable", OCI_HONOURED, ""},
        {"process.capabilities.permitted", OCI_HONOURED, ""},
        {"process.capabilities.ambient", OCI_HONOURED, ""},
        {"process.rlimits", OCI_NOTE, "setrlimit before execve; a duplicated type is an error"},
        {"process.rlimits[].type", OCI_HONOURED, "RLIMIT_* names"},
        {"process.rlimits[].soft", OCI_HONOURED, ""},
        {"process.rlimits[].hard", OCI_HONOURED, ""},
        {"process.noNewPrivileges", OCI_HONOURED, ""},
        {"process.apparmorProfile", OCI_NOTE,
         "applied on exec; AppArmor is not in this machine's kernel, so a profile is an error "
         "there"},
        {"process.oomScoreAdj", OCI_HONOURED, ""},
        {"process.scheduler", OCI_HONOURED, "sched_setattr(2) before execve"},
        {"process.scheduler.policy", OCI_HONOURED,
         "SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO (an error: not in Linux), "
         "SCHED_IDLE, SCHED_DEADLINE"},
        {"process.scheduler.nice", OCI_HONOURED, ""},
        {"process.scheduler.priority", OCI_HONOURED, ""},
        {"process.scheduler.flags", OCI_HONOURED, "SCHED_FLAG_* names"},
        {"process.scheduler.runtime", OCI_HONOURED, ""},
        {"process.scheduler.deadline", OCI_HONOURED, ""},
        {"process.scheduler.period", OCI_HONOURED, ""},
        {"process.selinuxLabel", OCI_NOTE,
         "written to /proc/thread-self/attr/exec before execve; an error when SELinux is not "
         "enabled or refuses the label"},
        {"process.ioPriority", OCI_HONOURED, "ioprio_set(2) before execve"},
        {"process.ioPriority.class", OCI_HONOURED,
         "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE"},
        {"process.ioPriority.priority", OCI_HONOURED, "0 to 7"},
        {"process.execCPUAffinity", OCI_HONOURED, ""},
        {"process.execCPUAffinity.initial", OCI_NOTE,
         "boxlaunch's set-up process runs on these CPUs from the start"},
        {"process.execCPUAffinity.final", OCI_HONOURED, "the payload's affinity"},
        {"root", OCI_HONOURED, "required"},
        {"root.path", OCI_NOTE,
         "relative to the bundle; boxlaunch never writes into the image for missing API mount "
         "points of its own"},
        {"root.readonly", OCI_HONOURED, ""},
        {"hostname", OCI_NOTE,
         "needs a new UTS namespace; without hostname the box keeps the host's name"},
        {"domainname", OCI_NOTE, "needs a new UTS namespace"},
        {"mounts", OCI_NOTE,
         "in order, each target resolved inside the root (RESOLVE_IN_ROOT); missing targets are "
         "created inside the root, never through a symlink out of it. The list is the whole "
         "layout: no implicit /proc, /sys or /dev"},
        {"mounts[].destination", OCI_NOTE,
         "absolute (a relative one is taken from /); several mounts on one destination stack in "
         "their order (a CRI pod sandbox mounts /dev/shm twice)"},
        {"mounts[].type", OCI_NOTE,
         "any file system type the kernel has (proc, sysfs, tmpfs, devpts, mqueue, cgroup, "
         "cgroup2, overlay...); \"bind\" or the bind/rbind option for bind mounts; cgroup shows "
         "the box's own groups, read-only unless rw"},
        {"mounts[].source", OCI_NOTE, "bind sources relative to the bundle"},
        {"mounts[].options", OCI_NOTE,
         "every mount(8) flag (ro, nosuid, nodev, noexec, atime family, nosymfollow, sync, "
         "dirsync), bind and rbind, propagation (private, shared, slave, unbindable and r*), "
         "recursive attributes (rro, rnosuid, rnodev, rnoexec, ratime family, rnosymfollow and "
         "their opposites) through mount_setattr(2), tmpcopyup, idmap and ridmap; anything else is "
         "file system data (mode=, size=...), which a bind mount ignores as mount(2) does (runc "
         "and "
         "crun pass it on to no effect). remount and mand are errors"},
        {"mounts[].uidMappings", OCI_NOTE,
         "an idmapped bind mount (mount_setattr MOUNT_ATTR_IDMAP with a user namespace made for "
         "the maps); both uidMappings and gidMappings"},
        {"mounts[].uidMappings[].containerID", OCI_HONOURED, ""},
        {"mounts[].uidMappings[].hostID", OCI_HONOURED, ""},
        {"mounts[].uidMappings[].size", OCI_HONOURED, ""},
        {"mounts[].gidMappings", OCI_NOTE, "an idmapped mount"},
        {"mounts[].gidMappings[].containerID", OCI_HONOURED, ""},
        {"mounts[].gidMappings[].hostID", OCI_HONOURED, ""},
        {"mounts[].gidMappings[].size", OCI_HONOURED, ""},
        {"hooks", OCI_HONOURED, ""},
        {"hooks.prestart", OCI_NOTE,
         "deprecated by the spec; run as createRuntime hooks are, before them"},
        {"hooks.createRuntime", OCI_HONOURED,
         "runtime namespaces, after the box's namespaces exist"},
        {"hooks.createContainer", OCI_HONOURED, "the box's namespaces, before pivot_root"},
        {"hooks.startContainer", OCI_NOTE,
         "the box's namespaces and confinement, before the payload's execve; after `create`, "
         "only once `start` opened the exec FIFO, run by the container's init with the payload's "
         "user and capabilities, as runc does; a failing hook ends the container"},
        {"hooks.poststart", OCI_HONOURED, "failures are warnings"},
        {"hooks.poststop", OCI_HONOURED, "failures are warnings"},
        {"hooks.*[].path", OCI_HONOURED, "absolute"},
        {"hooks.*[].args", OCI_HONOURED, ""},
        {"hooks.*[].env", OCI_HONOURED, ""},
        {"hooks.*[].timeout", OCI_HONOURED, "seconds, more than 0; the hook is killed after it"},
        {"annotations", OCI_NOTE, "passed to the hooks in the state"},
        {"linux", OCI_HONOURED, ""},
        {"linux.namespaces", OCI_NOTE,
         "each type new, or joined by path with setns(2). A type left out shares the host's, "
         "except mount, which is always new or joined (left out, or no list at all: a new one all "
         "the same, with a warning, as crun does); without a pid namespace the payload runs in "
         "the host's and is not PID 1"},
        {"linux.namespaces[].type", OCI_NOTE, "pid, network, mount, ipc, uts, user, cgroup, time"},
        {"linux.namespaces[].path", OCI_NOTE,
         "joined with setns(2) for network, ipc, uts, cgroup, time and mount (the box's root, "
         "mounts and pivot_root are made in the joined mount namespace, as runc does); a pid "
         "namespace is entered by the init at its clone (the payload is not PID 1 there). A user "
         "namespace cannot be joined, and a join cannot be combined with a new user namespace "
         "(errors)"},
        {"linux.uidMappings", OCI_NOTE, "written to uid_map; several ranges"},
        {"linux.uidMappings[].containerID", OCI_HONOURED, ""},
        {"linux.uidMappings[].hostID", OCI_HONOURED, ""},
        {"linux.uidMappings[].size", OCI_HONOURED, ""},
        {"linux.gidMappings", OCI_NOTE, "written to gid_map; several ranges"},
        {"linux.gidMappings[].containerID", OCI_HONOURED, ""},
        {"linux.gidMappings[].hostID", OCI_HONOURED, ""},
        {"linux.gidMappings[].size", OCI_HONOURED, ""},
        {"linux.timeOffsets", OCI_NOTE,
         "monotonic and boottime: written to timens_offsets; needs a new time namespace"},
        {"linux.timeOffsets.*.secs", OCI_HONOURED, ""},
        {"linux.timeOffsets.*.nanosecs", OCI_HONOURED, ""},
        {"linux.devices", OCI_NOTE,
         "created in the box's /dev (mknod, or a bind of the host's node in a user namespace); not "
         "allowed in the device cgroup unless linux.resources.devices says so"},
        {"linux.devices[].type", OCI_NOTE, "c, b, u (as c), p (a FIFO)"},
        {"linux.devices[].path", OCI_NOTE, "under /dev"},
        {"linux.devices[].major", OCI_HONOURED, ""},
        {"linux.devices[].minor", OCI_HONOURED, ""},
        {"linux.devices[].fileMode", OCI_HONOURED, ""},
        {"linux.devices[].uid", OCI_HONOURED, ""},
        {"linux.devices[].gid", OCI_HONOURED, ""},
        {"linux.netDevices", OCI_REJECTED, "moving host interfaces into the box is not supported"},
        {"linux.cgroupsPath", OCI_NOTE,
         "a path (absolute: from each hierarchy's root; relative: under boxlaunch's own group) or "
         "systemd's slice:prefix:name form (slice/prefix-name.scope). A group that exists is "
         "joined "
         "when no process is in it, as runc does (a start that fails leaves it, `delete` removes "
         "it); one with processes is an error"},
        {"linux.rootfsPropagation", OCI_NOTE,
         "shared, slave, private, unbindable (and their r* forms) on the box's root mount"},
        {"linux.maskedPaths", OCI_NOTE,
         "replaces boxlaunch's default list; a missing path is skipped"},
        {"linux.readonlyPaths", OCI_NOTE,
         "replaces boxlaunch's default list; a missing path is skipped"},
        {"linux.mountLabel", OCI_NOTE,
         "context= on the file systems the box mounts (tmpfs, mqueue, devpts...; not proc, sysfs, "
         "cgroup) where SELinux is enabled, as runc does; ignored with a debug message where it is "
         "not (this machine: SELinux is built in but selinuxfs is not mounted), as crun does"},
        {"linux.personality", OCI_HONOURED, ""},
        {"linux.personality.domain", OCI_HONOURED, "LINUX, LINUX32"},
        {"linux.personality.flags", OCI_REJECTED, "the spec defines no flags"},
        {"linux.sysctl", OCI_NOTE,
         "written through the box's own /proc; a key of a namespace the box shares with the host "
         "is an error"},
        {"linux.resources", OCI_HONOURED, ""},
        {"linux.resources.devices", OCI_NOTE,
         "the device cgroup's rules in order, on top of deny-all"},
        {"linux.resources.devices[].allow", OCI_HONOURED, ""},
        {"linux.resources.devices[].type", OCI_HONOURED, "a, c, b"},
        {"linux.resources.devices[].major", OCI_HONOURED, "absent: any"},
        {"linux.resources.devices[].minor", OCI_HONOURED, "absent: any"},
        {"linux.resources.devices[].access", OCI_HONOURED, "r, w, m"},
        {"linux.resources.memory", OCI_HONOURED, ""},
        {"linux.resources.memory.limit", OCI_HONOURED, "-1: unlimited"},
        {"linux.resources.memory.reservation", OCI_NOTE,
         "the soft limit (v1 memory.soft_limit_in_bytes, v2 memory.high)"},
        {"linux.resources.memory.swap", OCI_NOTE,
         "memory plus swap, as the spec says; must be at least limit; -1: unlimited"},
        {"linux.resources.memory.kernel", OCI_IGNORED,
         "deprecated by the spec; kernel memory limits have no effect since Linux 5.16 (v1 "
         "memory.kmem.limit_in_bytes takes any value and keeps none): a warning, as runc gives"},
        {"linux.resources.memory.kernelTCP", OCI_NOTE,
         "deprecated by the spec; v1 memory.kmem.tcp.limit_in_bytes, which Linux still has; "
         "ignored with a warning on cgroup2 or where the file is missing"},
        {"linux.resources.memory.swappiness", OCI_NOTE,
         "v1 memory.swappiness (an error on cgroup v2, which has none)"},
        {"linux.resources.memory.disableOOMKiller", OCI_NOTE,
         "v1 memory.oom_control (an error on cgroup v2)"},
        {"linux.resources.memory.useHierarchy", OCI_NOTE,
         "true only: hierarchy is always on in current kernels"},
        {"linux.resources.memory.checkBeforeUpdate", OCI_NOTE,
         "only meaningful for update; accepted"},
        {"linux.resources.cpu", OCI_HONOURED, ""},
        {"linux.resources.cpu.shares", OCI_NOTE,
         "v1 cpu.shares as given; converted to cpu.weight on v2"},
        {"linux.resources.cpu.quota", OCI_HONOURED, "-1: unlimited"},
        {"linux.resources.cpu.burst", OCI_HONOURED, ""},
        {"linux.resources.cpu.period", OCI_HONOURED, ""},
        {"linux.resources.cpu.realtimeRuntime", OCI_NOTE,
         "v1 cpu.rt_runtime_us; an error where the kernel has no RT group scheduling"},
        {"linux.resources.cpu.realtimePeriod", OCI_NOTE, "v1 cpu.rt_period_us; as realtimeRuntime"},
        {"linux.resources.cpu.cpus", OCI_HONOURED, ""},
        {"linux.resources.cpu.mems", OCI_HONOURED, ""},
        {"linux.resources.cpu.idle", OCI_NOTE,
         "v2 cpu.idle; an error where the cpu controller is v1"},
        {"linux.resources.pids", OCI_HONOURED, ""},
        {"linux.resources.pids.limit", OCI_HONOURED, "0 or -1: unlimited"},
        {"linux.resources.blockIO", OCI_HONOURED, ""},
        {"linux.resources.blockIO.weight", OCI_NOTE,
         "converted to the v2 scale and written as a .box IOWeight= is; where the kernel has no "
         "weight file (no BFQ, no iocost: this machine) a warning, as for a .box"},
        {"linux.resources.blockIO.leafWeight", OCI_REJECTED, "gone from Linux (cfq)"},
        {"linux.resources.blockIO.weightDevice", OCI_NOTE,
         "blkio.bfq.weight_device (v1) or io.bfq.weight / io.weight (v2); an error where the "
         "kernel has no such file (no BFQ: this machine)"},
        {"linux.resources.blockIO.weightDevice[].major", OCI_HONOURED, ""},
        {"linux.resources.blockIO.weightDevice[].minor", OCI_HONOURED, ""},
        {"linux.resources.blockIO.weightDevice[].weight", OCI_HONOURED, ""},
        {"linux.resources.blockIO.weightDevice[].leafWeight", OCI_REJECTED,
         "gone from Linux (cfq)"},
        {"linux.resources.blockIO.throttleReadBpsDevice", OCI_HONOURED, ""},
        {"linux.resources.blockIO.throttleWriteBpsDevice", OCI_HONOURED, ""},
        {"linux.resources.blockIO.throttleReadIOPSDevice", OCI_HONOURED, ""},
        {"linux.resources.blockIO.throttleWriteIOPSDevice", OCI_HONOURED, ""},
        {"linux.resources.blockIO.*[].major", OCI_HONOURED, ""},
        {"linux.resources.blockIO.*[].minor", OCI_HONOURED, ""},
        {"linux.resources.blockIO.*[].rate", OCI_HONOURED, ""},
        {"linux.resources.hugepageLimits", OCI_NOTE,
         "hugetlb.<size>.max of the box's cgroup2 group (on a hybrid host the unified hierarchy's "
         "hugetlb controller); an error for a size the host lacks or without the controller"},
        {"linux.resources.hugepageLimits[].pageSize", OCI_HONOURED, ""},
        {"linux.resources.hugepageLimits[].limit", OCI_HONOURED, ""},
        {"linux.resources.network", OCI_REJECTED, "net_cls and net_prio are not supported"},
        {"linux.resources.network.classID", OCI_REJECTED, ""},
        {"linux.resources.network.priorities", OCI_REJECTED, ""},
        {"linux.resources.rdma", OCI_REJECTED, "the rdma controller is not supported"},
        {"linux.resources.unified", OCI_NOTE,
         "written to the box's cgroup2 group after the other resources; an error for a controller "
         "that is not on cgroup2 here (on this hybrid machine only hugetlb is)"},
        {"linux.intelRdt", OCI_REJECTED, "resctrl is not supported"},
        {"linux.intelRdt.closID", OCI_REJECTED, ""},
        {"linux.intelRdt.l3CacheSchema", OCI_REJECTED, ""},
        {"linux.intelRdt.memBwSchema", OCI_REJECTED, ""},
        {"linux.intelRdt.schemata", OCI_REJECTED, ""},
        {"linux.intelRdt.enableMonitoring", OCI_REJECTED, ""},
        {"linux.intelRdt.enableCMT", OCI_REJECTED, ""},
        {"linux.intelRdt.enableMBM", OCI_REJECTED, ""},
        {"linux.memoryPolicy", OCI_NOTE,
         "set_mempolicy(2) before execve, inherited by the payload"},
        {"linux.memoryPolicy.mode", OCI_HONOURED,
         "MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, "
         "MPOL_PREFERRED_MANY, MPOL_LOCAL"},
        {"linux.memoryPolicy.nodes", OCI_HONOURED, ""},
        {"linux.memoryPolicy.flags", OCI_HONOURED,
         "MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES"},
        {"linux.seccomp", OCI_NOTE,
         "a literal filter built with libseccomp; loaded last, right before execve"},
        {"linux.seccomp.defaultAction", OCI_HONOURED,
         "SCMP_ACT_KILL, KILL_THREAD, KILL_PROCESS, TRAP, ERRNO, TRACE, ALLOW, LOG"},
        {"linux.seccomp.defaultErrnoRet", OCI_HONOURED, ""},
        {"linux.seccomp.architectures", OCI_HONOURED, "SCMP_ARCH_* names"},
        {"linux.seccomp.flags", OCI_NOTE,
         "SECCOMP_FILTER_FLAG_TSYNC, LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV"},
        {"linux.seccomp.listenerPath", OCI_REJECTED, "SCMP_ACT_NOTIFY is not supported: an error"},
        {"linux.seccomp.listenerMetadata", OCI_REJECTED,
         "SCMP_ACT_NOTIFY is not supported: an error"},
        {"linux.seccomp.syscalls", OCI_HONOURED, ""},
        {"linux.seccomp.syscalls[].names", OCI_NOTE,
         "names libseccomp does not know for this architecture are skipped, as runc does"},
        {"linux.seccomp.syscalls[].action", OCI_NOTE,
         "as defaultAction; SCMP_ACT_NOTIFY is an error"},
        {"linux.seccomp.syscalls[].errnoRet", OCI_HONOURED, ""},
        {"linux.seccomp.syscalls[].args", OCI_HONOURED, ""},
        {"linux.seccomp.syscalls[].args[].index", OCI_HONOURED, ""},
        {"linux.seccomp.syscalls[].args[].value", OCI_HONOURED, ""},
        {"linux.seccomp.syscalls[].args[].valueTwo", OCI_HONOURED, ""},
        {"linux.seccomp.syscalls[].args[].op", OCI_HONOURED,
         "SCMP_CMP_NE, LT, LE, EQ, GE, GT, MASKED_EQ"},
        {"solaris", OCI_IGNORED, "not Linux"},
        {"windows", OCI_IGNORED, "not Linux"},
        {"vm", OCI_IGNORED, "not Linux"},
        {"zos", OCI_IGNORED, "not Linux"},
        {"freebsd", OCI_IGNORED, "not Linux"},
};

const size_t oci_n_fields = ARRAY_SIZE(oci_fields);

/* One segment of a path against a table segment: "*" matches any key, "*[]" any key of an
 * array element. */
static bool segment_match(const char *pat, size_t np, const char *s, size_t ns)
{
        if (np >= 1 && pat[0] == '*') {
                bool pat_arr = np == 3 && memcmp(pat + 1, "[]", 2) == 0;
                bool s_arr = ns >= 2 && memcmp(s + ns - 2, "[]", 2) == 0;
                return np == 1 ? !s_arr : pat_arr && s_arr;
        }
        return np == ns && memcmp(pat, s, np) == 0;
}

static bool path_match(const char *pat, const char *s, bool wild)
{
        if (!wild)
                return streq(pat, s);
        for (;;) {
                size_t np = strcspn(pat, "."), ns = strcspn(s, ".");
                if (!segment_match(pat, np, s, ns))
                        return false;
                if (!pat[np] || !s[ns])
                        return !pat[np] && !s[ns];
                pat += np + 1;
                s += ns + 1;
        }
}

const struct oci_field *oci_field_find(const char *path)
{
        /* "mounts[3].options[1]" -> "mounts[].options[]" */
        char norm[256];
        size_t k = 0;
        for (const char *p = path; *p && k + 3 < sizeof(norm); p++) {
                norm[k++] = *p;
                if (*p == '[') {
                        while (*p && *p != ']')
                                p++;
                        norm[k++] = ']';
                        if (!*p)
                                break;
                }
        }
        norm[k] = 0;
        /* An array of strings ("options[]") is described by its own entry. */
        size_t n = strlen(norm);
        if (n > 2 && streq(norm + n - 2, "[]"))
                norm[n - 2] = 0;
        for (int wild = 0; wild < 2; wild++)
                for (size_t i = 0; i < oci_n_fields; i++)
                        if (path_match(oci_fields[i].path, norm, wild))
                                return &oci_fields[i];
        return NULL;
}

void oci_fields_markdown(FILE *out)
{
        static const char *const words[] = {
                [OCI_HONOURED] = "honoured",
                [OCI_NOTE] = "honoured",
                [OCI_REJECTED] = "**rejected**",
                [OCI_IGNORED] = "ignored",
        };
        fputs("# OCI config.json fields\n\n"
              "Every field of the OCI runtime specification's `config.json` (1.0 to 1.2) that\n"
              "concerns Linux, and what boxlaunch does with it. A rejected field is an error that\n"
              "names its JSON path when it is set; unknown properties are ignored, as the\n"
              "specification requires. Generated from `launcher/frontend/oci/fields.c`\n"
              "(`make docs/oci-fields.md`); `make check` fails when this file differs.\n\n"
              "| Field | boxlaunch | Notes |\n"
              "|---|---|---|\n",
              out);
        for (size_t i = 0; i < oci_n_fields; i++) {
                const struct oci_field *f = &oci_fields[i];
                fprintf(out, "| `%s` | %s | ", f->path, words[f->support]);
                for (const char *p = f->note; *p; p++) {
                        if (*p == '|')
                                fputc('\\', out);
                        fputc(*p, out);
                }
                fputs(" |\n", out);
        }
}
