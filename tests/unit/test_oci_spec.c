/* test_oci_spec.c - the OCI front-end: each field of config.json parsed into the config, each
 * rejection naming its JSON path, a .box exported and loaded back giving the same config.json,
 * and docs/oci-fields.md generated from the field table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config_json.h"
#include "frontend/box/box.h"
#include "frontend/oci/oci.h"
#include "launch/seccomp.h"
#include "util/log.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>

static char logged[8192];

static void capture(enum log_level l, const char *line, void *userdata)
{
        size_t n = strlen(logged);
        if (l <= LOG_LVL_WARNING)
                snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/* A config.json: the minimal valid one with extra members spliced in. */
static char *spec(const char *process_extra, const char *linux_extra, const char *top_extra)
{
        return xasprintf("{\"ociVersion\":\"1.0.2\","
                         "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
                         "\"cwd\":\"/\"%s%s},"
                         "\"root\":{\"path\":\"rootfs\"},"
                         "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
                         "{\"type\":\"uts\"},{\"type\":\"ipc\"},{\"type\":\"network\"}]%s%s}%s%s}",
                         *process_extra ? "," : "", process_extra, *linux_extra ? "," : "",
                         linux_extra, *top_extra ? "," : "", top_extra);
}

static int load(const char *text, struct box_config *c)
{
        box_config_init(c);
        logged[0] = 0;
        return oci_spec_load_string(text, "config.json", "/bundles/b1", c);
}

static void test_minimal(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t = spec("", "", "");
        assert_int_equal(load(t, &c), 0);
        assert_string_equal(c.root, "/bundles/b1/rootfs");
        assert_string_equal(c.name, "b1");
        assert_true(c.api_listed);
        assert_true(c.process_exact);
        assert_int_equal(c.init, BOX_NO);
        assert_int_equal(c.no_new_privileges, BOX_NO);
        assert_int_equal(c.net, BOX_NET_PRIVATE);
        assert_true(c.ns_uts && c.ns_ipc && !c.ns_cgroup && !c.ns_time);
        assert_int_equal(c.userns, BOX_USERNS_NO);
        assert_false(c.seccomp.enabled);
        /* No capabilities object: no capabilities. */
        assert_true(c.caps.sets_given);
        assert_int_equal(c.caps.bounding | c.caps.effective | c.caps.permitted, 0);
        assert_int_equal(box_config_validate(&c), 0);
        char w[256];
        assert_string_equal(box_config_where(&c, BOX_F_MEMORY_MAX, NULL, 0, w, sizeof(w)),
                            "config.json: linux.resources.memory.limit");
        box_config_free(&c);
}

static void test_process(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t =
                spec("\"terminal\":true,\"consoleSize\":{\"height\":30,\"width\":100},"
                     "\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
                     "\"env\":[\"A=1\",\"PATH=/bin\"],\"cwd\":\"/srv\","
                     "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],"
                     "\"effective\":[\"CAP_KILL\"],\"inheritable\":[],\"permitted\":[\"CAP_KILL\"],"
                     "\"ambient\":[\"CAP_KILL\"]},"
                     "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":20}],"
                     "\"noNewPrivileges\":true,\"oomScoreAdj\":-5,"
                     "\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"nice\":3},"
                     "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7},"
                     "\"execCPUAffinity\":{\"initial\":\"0\",\"final\":\"0-1\"},"
                     "\"selinuxLabel\":\"system_u:system_r:container_t:s0\"",
                     "", "\"hostname\":\"h1\",\"domainname\":\"d1\"");
        assert_int_equal(load(t, &c), 0);
        assert_int_equal(c.console, BOX_CONSOLE_INTERACTIVE);
        assert_int_equal(c.console_height, 30);
        assert_int_equal(c.console_width, 100);
        assert_string_equal(c.user, "1000");
        assert_string_equal(c.group, "100");
        assert_int_equal(c.umask, 18);
        assert_string_equal(c.supplementary_groups[0], "5");
        assert_string_equal(c.supplementary_groups[1], "6");
        assert_null(c.supplementary_groups[2]);
        assert_string_equal(c.env[1], "PATH=/bin");
        assert_string_equal(c.cwd, "/srv");
        assert_int_equal(c.caps.bounding, (1ULL << 5) | (1ULL << 0));
        assert_int_equal(c.caps.effective, 1ULL << 5);
        assert_int_equal(c.caps.inheritable, 0);
        assert_int_equal(c.caps.ambient, 1ULL << 5);
        assert_true(c.rlimits[RLIMIT_NOFILE].set);
        assert_int_equal(c.rlimits[RLIMIT_NOFILE].value.rlim_cur, 10);
        assert_int_equal(c.rlimits[RLIMIT_NOFILE].value.rlim_max, 20);
        assert_int_equal(c.no_new_privileges, BOX_YES);
        assert_int_equal(c.oom_score_adj, -5);
        assert_true(c.sched.set);
        assert_int_equal(c.sched.policy, SCHED_BATCH);
        assert_int_equal(c.sched.nice, 3);
        assert_int_equal(c.ioprio_class, 3);
        assert_int_equal(c.ioprio_level, 7);
        assert_string_equal(c.cpu_affinity_initial, "0");
        assert_string_equal(c.cpu_affinity, "0-1");
        assert_string_equal(c.selinux_label, "system_u:system_r:container_t:s0");
        assert_string_equal(c.hostname, "h1");
        assert_string_equal(c.domainname, "d1");
        box_config_free(&c);
}

static void test_mounts_and_hooks(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t =
                spec("", "",
                     "\"mounts\":["
                     "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                     "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                     "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
                     "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"data\","
                     "\"options\":[\"rbind\",\"ro\",\"rnoexec\",\"rslave\"]},"
                     "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"options\":[\"tmpcopyup\"]},"
                     "{\"destination\":\"/id\",\"type\":\"bind\",\"source\":\"/srv\","
                     "\"options\":[\"bind\",\"idmap\"],"
                     "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"
                     "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}]}],"
                     "\"hooks\":{\"prestart\":[{\"path\":\"/bin/p\"}],"
                     "\"poststop\":[{\"path\":\"/bin/q\",\"args\":[\"q\",\"x\"],\"env\":[\"E=1\"],"
                     "\"timeout\":3}]},"
                     "\"annotations\":{\"k\":\"v\",\"io.boxlaunch.init\":\"1\"}");
        assert_int_equal(load(t, &c), 0);
        assert_int_equal(c.n_mounts, 5);
        const struct box_mount *m = c.mounts;
        assert_int_equal(m[0].type, BOX_MOUNT_FS);
        assert_string_equal(m[0].fstype, "proc");
        assert_string_equal(m[1].data, "mode=755,size=65536k");
        assert_int_equal(box_mount_flags(&m[1]), MS_NOSUID | MS_STRICTATIME);
        assert_int_equal(m[2].type, BOX_MOUNT_BIND);
        assert_true(m[2].recursive);
        assert_string_equal(m[2].source, "/bundles/b1/data");
        assert_int_equal(box_mount_flags(&m[2]), MS_RDONLY);
        assert_int_equal(m[2].propagation, MS_SLAVE | MS_REC);
        assert_int_not_equal(m[2].rec_attr_set, 0);
        assert_true(m[3].tmpcopyup);
        assert_int_equal(m[4].n_uid_map, 1);
        assert_int_equal(m[4].uid_map[0].outside, 1000);
        assert_string_equal(m[4].name, "mounts[4]");
        assert_int_equal(c.n_hooks, 2);
        assert_int_equal(c.hooks[0].stage, BOX_HOOK_PRESTART);
        assert_string_equal(c.hooks[0].path, "/bin/p");
        assert_string_equal(c.hooks[0].argv[0], "/bin/p");
        assert_int_equal(c.hooks[1].stage, BOX_HOOK_POSTSTOP);
        assert_string_equal(c.hooks[1].argv[1], "x");
        assert_string_equal(c.hooks[1].env[0], "E=1");
        assert_int_equal(c.hooks[1].timeout_usec, 3000000);
        assert_string_equal(c.annotations[0], "k=v");
        assert_int_equal(c.init, BOX_YES);
        char w[256];
        assert_string_equal(box_config_where(&c, BOX_F_MOUNT_TARGET, m[2].name, 0, w, sizeof(w)),
                            "config.json: mounts[2].destination");
        box_config_free(&c);
}

/* What runc and crun accept and the validation suite uses: file system data on a bind mount
 * (mount(2) ignores it), the deprecated kernel memory limit (a warning; kernelTCP is still in
 * v1 and honoured), mount and pid
 * namespaces joined by path. */
static void test_accepted_like_runc(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t =
                spec("",
                     "\"resources\":{\"memory\":{\"limit\":1048576,\"kernel\":2097152,"
                     "\"kernelTCP\":1048576}}",
                     "\"mounts\":[{\"destination\":\"/mnt/etc\",\"source\":\"/etc\","
                     "\"options\":[\"rbind\",\"rshared\",\"nosuid\",\"strictatime\","
                     "\"mode=755\",\"size=1k\"]}]");
        assert_int_equal(load(t, &c), 0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_int_equal(c.n_mounts, 1);
        assert_int_equal(c.mounts[0].type, BOX_MOUNT_BIND);
        assert_null(c.mounts[0].data);
        assert_false(c.mounts[0].suid);
        assert_int_equal(c.limits.memory_max, 1048576);
        assert_non_null(strstr(logged, "linux.resources.memory.kernel: kernel memory settings "
                                       "are ignored"));
        assert_null(strstr(logged, "kernelTCP"));
        assert_int_equal(c.limits.memory_kmem_tcp1, 1048576 + 1);
        box_config_free(&c);
        /* No namespaces: the runtime's, except a mount namespace of its own (a warning). */
        _cleanup_free_ char *none = spec("", "", "\"linux\":{}");
        assert_int_equal(load(none, &c), 0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_true(c.ns_pid_host);
        assert_int_equal(c.net, BOX_NET_HOST);
        assert_false(c.ns_uts || c.ns_ipc || c.ns_cgroup || c.ns_time);
        assert_non_null(strstr(logged, "linux.namespaces: no mount namespace listed"));
        box_config_free(&c);
        /* Mount and pid namespaces joined by path (the box is set up in them). */
        _cleanup_free_ char *j = spec("", "",
                                      "\"linux\":{\"namespaces\":["
                                      "{\"type\":\"pid\",\"path\":\"/proc/9/ns/pid\"},"
                                      "{\"type\":\"mount\",\"path\":\"/proc/9/ns/mnt\"}]}");
        assert_int_equal(load(j, &c), 0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_string_equal(c.ns_join[BOX_NS_MNT], "/proc/9/ns/mnt");
        assert_string_equal(c.ns_join[BOX_NS_PID], "/proc/9/ns/pid");
        assert_false(c.ns_pid_host);
        box_config_free(&c);
}

static void test_linux(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t = xasprintf(
                "{\"ociVersion\":\"1.1.0\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
                "\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"/r\",\"readonly\":true},"
                "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
                "{\"type\":\"user\"},{\"type\":\"cgroup\"},{\"type\":\"time\"},"
                "{\"type\":\"network\",\"path\":\"/run/netns/n1\"}],"
                "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
                "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
                "\"timeOffsets\":{\"monotonic\":{\"secs\":10,\"nanosecs\":5}},"
                "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
                "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}],"
                "\"memory\":{\"limit\":1000000,\"reservation\":500000,\"swap\":3000000,"
                "\"swappiness\":10,\"disableOOMKiller\":true},"
                "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\","
                "\"mems\":\"0\"},\"pids\":{\"limit\":64},"
                "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":99}]}},"
                "\"cgroupsPath\":\"machine.slice:box:x\","
                "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
                "\"fileMode\":438,\"uid\":1,\"gid\":2},{\"path\":\"/dev/fifo\",\"type\":\"p\"}],"
                "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
                "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
                "\"args\":[{\"index\":1,\"value\":448,\"op\":\"SCMP_CMP_MASKED_EQ\","
                "\"valueTwo\":448}]}]},"
                "\"rootfsPropagation\":\"rslave\",\"maskedPaths\":[\"/proc/kcore\"],"
                "\"readonlyPaths\":[\"/proc/sys\"],\"mountLabel\":\"l\","
                "\"personality\":{\"domain\":\"LINUX32\"},"
                "\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\","
                "\"flags\":[\"MPOL_F_STATIC_NODES\"]}}}");
        assert_int_equal(load(t, &c), 0);
        assert_true(c.read_only);
        assert_string_equal(c.root, "/r");
        assert_int_equal(c.userns, BOX_USERNS_FIXED);
        assert_int_equal(c.uid_base, 100000);
        assert_int_equal(c.n_uid_map, 1);
        assert_int_equal(c.net, BOX_NET_HOST);
        assert_string_equal(c.ns_join[BOX_NS_NET], "/run/netns/n1");
        assert_true(c.ns_cgroup && c.ns_time && !c.ns_uts && !c.ns_ipc);
        assert_true(c.time_offsets_set);
        assert_int_equal(c.time_offset_secs[0], 10);
        assert_int_equal(c.time_offset_nsecs[0], 5);
        assert_string_equal(c.sysctls[0].key, "net.ipv4.ip_forward");
        const struct box_limits *l = &c.limits;
        assert_true(l->dev_rules_given);
        assert_int_equal(l->n_dev_rules, 2);
        assert_false(l->dev_rules[0].allow);
        assert_int_equal(l->dev_rules[0].type, 'a');
        assert_int_equal(l->dev_rules[0].major, -1);
        assert_int_equal(l->dev_rules[1].minor, 3);
        assert_int_equal(l->memory_max, 1000000);
        assert_int_equal(l->memory_high, 500000);
        assert_int_equal(l->memory_swap_max, 2000000);
        assert_int_equal(l->memory_swappiness1, 11);
        assert_true(l->oom_kill_disable);
        assert_int_equal(l->cpu_shares, 512);
        assert_int_equal(l->cpu_quota_ppm, 500000);
        assert_int_equal(l->cpu_period_usec, 100000);
        assert_int_equal(l->tasks_max, 64);
        assert_int_equal(l->n_io, 1);
        assert_int_equal(l->io[0].rbps, 99);
        assert_string_equal(l->path, "machine.slice:box:x");
        assert_int_equal(c.n_devices, 2);
        assert_int_equal(c.devices[0].mode, 0666);
        assert_int_equal(c.devices[0].gid, 2);
        assert_int_equal(c.devices[1].type, 'p');
        const struct box_seccomp *s = &c.seccomp;
        assert_true(s->enabled && s->literal);
        assert_int_equal(s->default_action, BOX_SCMP_ERRNO | 38);
        assert_int_equal(s->n_rules, 2);
        assert_int_equal(s->rules[0].action, BOX_SCMP_ALLOW);
        assert_int_equal(s->rules[1].action, BOX_SCMP_ERRNO | 1);
        assert_int_equal(s->rules[1].args[0].op, 7);
        assert_int_equal(s->rules[1].args[0].value_two, 448);
        assert_int_equal(c.rootfs_propagation, MS_SLAVE | MS_REC);
        assert_string_equal(c.mask_paths[0], "/proc/kcore");
        assert_string_equal(c.read_only_paths[0], "/proc/sys");
        assert_string_equal(c.mount_label, "l");
        assert_int_equal(c.personality, PER_LINUX32);
        assert_int_equal(c.mempolicy_mode1, 2 + 1);
        assert_string_equal(c.mempolicy_nodes, "0");
        assert_int_equal(c.mempolicy_flags, 1u << 15);
        /* A join with a new user namespace: refused by validation, naming both. */
        assert_int_equal(box_config_validate(&c), -EINVAL);
        assert_non_null(strstr(logged, "config.json: linux.namespaces[].path=/run/netns/n1"));
        box_config_free(&c);
}

/* Each bad config fails naming its JSON path. */
static void expect_error(const char *process, const char *lx, const char *top, const char *words)
{
        struct box_config c;
        _cleanup_free_ char *t = spec(process, lx, top);
        int r = load(t, &c);
        if (r == 0)
                r = box_config_validate(&c);
        if (r != -EINVAL || !strstr(logged, words))
                fail_msg("%s\ngave %d and\n%s\nnot '%s'", t, r, logged, words);
        box_config_free(&c);
}

static void test_rejections(void **state)
{
        expect_error("", "", "\"ociVersion\":\"2.0\"", "config.json: ociVersion: '2.0'");
        expect_error("\"cwd\":\"rel\"", "", "", "config.json: process.cwd: 'rel' is not absolute");
        expect_error("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},"
                     "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1}]",
                     "", "", "config.json: process.rlimits[1].type: RLIMIT_NOFILE given twice");
        expect_error("\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]", "", "",
                     "process.rlimits[0].type: unknown resource");
        expect_error("\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}", "", "",
                     "config.json: process.capabilities.bounding[0]: unknown capability");
        expect_error("\"user\":{\"uid\":-1,\"gid\":0}", "", "", "process.user.uid");
        expect_error("\"env\":[\"NOVALUE\"]", "", "", "process.env[0]");
        expect_error("\"scheduler\":{\"policy\":\"SCHED_NOPE\"}", "", "",
                     "process.scheduler.policy: unknown policy");
        expect_error("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":9}", "", "",
                     "process.ioPriority.priority");
        expect_error("", "\"resources\":{\"memory\":{\"limit\":100,\"swap\":50}}", "",
                     "config.json: linux.resources.memory.swap: 50 is below limit");
        expect_error("", "\"resources\":{\"memory\":{\"swap\":50}}", "",
                     "linux.resources.memory.swap: needs limit");
        expect_error("", "\"resources\":{\"network\":{\"classID\":1}}", "",
                     "config.json: linux.resources.network: not supported");
        expect_error("", "\"resources\":{\"unified\":{\"../x\":\"1\"}}", "",
                     "linux.resources.unified.../x: not a cgroup file name");
        expect_error("", "\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2XB\",\"limit\":1}]}",
                     "", "linux.resources.hugepageLimits[0].pageSize: '2XB' is not like 2MB");
        expect_error("", "\"resources\":{\"cpu\":{\"shares\":1}}", "",
                     "linux.resources.cpu.shares: below 2");
        expect_error("", "\"intelRdt\":{\"closID\":\"x\"}", "", "linux.intelRdt: not supported");
        expect_error("", "\"memoryPolicy\":{\"mode\":\"MPOL_NOPE\"}", "",
                     "linux.memoryPolicy.mode: unknown mode");
        expect_error("", "\"netDevices\":{\"eth0\":{}}", "", "linux.netDevices: not supported");
        expect_error("", "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "",
                     "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported");
        expect_error("",
                     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
                     "\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":"
                     "9,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                     "", "linux.seccomp.syscalls[0].args[0].index: above 5");
        expect_error("",
                     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                     "\"listenerPath\":\"/x\"}",
                     "", "linux.seccomp.listenerPath: not supported");
        expect_error("",
                     "\"devices\":[{\"path\":\"/etc/x\",\"type\":\"c\",\"major\":1,"
                     "\"minor\":1}]",
                     "", "config.json: linux.devices[0].path: '/etc/x' is not a path under /dev");
        expect_error("", "\"rootfsPropagation\":\"weird\"", "", "linux.rootfsPropagation");
        expect_error("", "\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"x\"]}", "",
                     "linux.personality.flags: not supported");
        expect_error("", "\"timeOffsets\":{\"monotonic\":{\"secs\":1}}", "",
                     "linux.timeOffsets: needs a new time namespace");
        expect_error("", "\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]", "",
                     "linux.uidMappings: mappings need a new user namespace");
        expect_error("", "\"cgroupsPath\":\"a:b\"", "", "linux.cgroupsPath");
        expect_error("", "", "\"mounts\":[{\"destination\":\"/x\"}]",
                     "config.json: mounts[0].type: required");
        expect_error("", "", "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\"}]",
                     "config.json: mounts[0].source: required for a bind mount");
        expect_error("", "",
                     "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\","
                     "\"source\":\"/y\",\"options\":[\"bind\",\"remount\"]}]",
                     "config.json: mounts[0].options[1]: 'remount' is not supported");
        expect_error("", "", "\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}",
                     "config.json: hooks.prestart[0].path: 'rel' is not absolute");
        expect_error("", "", "\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}",
                     "hooks.poststop[0].timeout");
        expect_error("", "",
                     "\"hostname\":\"x\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
                     "{\"type\":\"mount\"}]}",
                     "config.json: hostname: needs a new uts namespace");
        expect_error("", "",
                     "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
                     "{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]}",
                     "joining an existing user namespace is not supported");
        expect_error("", "", "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}",
                     "config.json: process.user: required");
        expect_error("", "", "\"root\":{}", "config.json: root.path: required");
        /* Every error is reported, not just the first. */
        expect_error("\"cwd\":\"a\",\"env\":[\"B\"]", "", "", "process.env[0]");
        assert_non_null(strstr(logged, "process.cwd"));
}

/* Unknown properties are ignored, as the spec requires. */
static void test_unknown_ignored(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t = spec("\"futureThing\":1", "\"futureLinux\":{}", "\"vendor\":2");
        assert_int_equal(load(t, &c), 0);
        box_config_free(&c);
        _cleanup_free_ char *bad = xstrdup("{\"ociVersion\":");
        assert_int_equal(load(bad, &c), -EINVAL);
        assert_non_null(strstr(logged, "config.json: invalid JSON"));
        box_config_free(&c);
}

static char *export_text(const struct box_config *c)
{
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        assert_non_null(f);
        assert_int_equal(oci_export(c, f), 0);
        fclose(f);
        return buf;
}

/* A .box exported, loaded back and exported again gives the same config.json, and the two
 * configs agree on what the launch applies. */
static void test_box_round_trip(void **state)
{
        static const char box[] = "[Box]\nDirectory = /srv/root\nHostname = h\n"
                                  "[Exec]\nCommand = /bin/echo hi\nUser = 1000\nGroup = 100\n"
                                  "SupplementaryGroups = 5 6\nEnvironment = A=1\n"
                                  "LimitNOFILE = 100:200\n"
                                  "[Namespaces]\nNetwork = private\n"
                                  "[Capabilities]\nAdd = CAP_NET_ADMIN\nAmbient = CAP_NET_ADMIN\n"
                                  "[Limits]\nMemoryMax = 64M\nTasksMax = 30\nCPUQuota = 50%\n"
                                  "[Mount data]\nType = bind\nSource = /srv/d\nTarget = /data\n"
                                  "Options = ro\n"
                                  "[Hook h]\nStage = poststop\nCommand = /bin/true x\n";
        struct box_config a, b;
        box_config_init(&a);
        assert_int_equal(box_file_load_buffer("t.box", box, sizeof(box) - 1, &a), 0);
        assert_int_equal(box_config_validate(&a), 0);
        _cleanup_free_ char *one = export_text(&a);
        assert_int_equal(load(one, &b), 0);
        assert_int_equal(box_config_validate(&b), 0);
        _cleanup_free_ char *two = export_text(&b);
        assert_string_equal(one, two);
        /* The same box: its command, ids, limits, capabilities, mounts and hook. */
        assert_string_equal(b.argv[1], "hi");
        assert_string_equal(b.user, "1000");
        assert_string_equal(b.supplementary_groups[1], "6");
        assert_int_equal(b.limits.memory_max, a.limits.memory_max);
        assert_int_equal(b.limits.tasks_max, 30);
        assert_int_equal(b.limits.cpu_quota_ppm, a.limits.cpu_quota_ppm);
        assert_int_equal(b.rlimits[RLIMIT_NOFILE].value.rlim_max, 200);
        assert_int_equal(b.caps.bounding, box_config_caps(&a));
        assert_int_equal(b.caps.ambient, a.caps.ambient);
        assert_int_equal(b.net, BOX_NET_PRIVATE);
        assert_int_equal(box_config_stub_init(&b), box_config_stub_init(&a));
        assert_int_equal(box_mount_flags(&b.mounts[6]), box_mount_flags(&a.mounts[0]));
        assert_string_equal(b.mounts[6].target, "/data");
        assert_string_equal(b.hooks[0].argv[1], "x");
        /* The .box's implicit layout, written out. */
        assert_string_equal(b.mounts[0].target, "/proc");
        assert_non_null(strstr(one, "\"/proc/kcore\""));
        /* And the OCI config survives the state file. */
        _cleanup_free_ char *st = box_config_to_json_string(&b);
        struct box_config s;
        box_config_init(&s);
        assert_int_equal(box_config_from_json_string(st, "state", &s), 0);
        _cleanup_free_ char *three = export_text(&s);
        assert_string_equal(one, three);
        box_config_free(&s);
        box_config_free(&b);
        box_config_free(&a);
}

/* A name-based User= has no OCI form: a clear error. */
static void test_export_needs_numbers(void **state)
{
        static const char box[] = "[Box]\nDirectory = /srv/root\n[Exec]\nUser = app\n";
        struct box_config a;
        box_config_init(&a);
        assert_int_equal(box_file_load_buffer("t.box", box, sizeof(box) - 1, &a), 0);
        assert_int_equal(box_config_validate(&a), 0);
        logged[0] = 0;
        FILE *f = fopen("/dev/null", "we");
        assert_int_equal(oci_export(&a, f), -EINVAL);
        fclose(f);
        assert_non_null(strstr(logged, "t.box:4: [Exec] User"));
        box_config_free(&a);
}

/* A literal filter compiles with libseccomp: names it does not know are skipped, the flags
 * go with the program; a bad architecture is an error naming the field. */
static void test_seccomp_literal(void **state)
{
        struct box_config c;
        _cleanup_free_ char *t =
                spec("",
                     "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                     "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
                     "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                     "\"syscalls\":[{\"names\":[\"read\",\"no_such_call\"],\"action\":\"SCMP_ACT_"
                     "ALLOW\"},"
                     "{\"names\":[\"chmod\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,"
                     "\"args\":[{\"index\":1,\"value\":448,\"op\":\"SCMP_CMP_EQ\"},"
                     "{\"index\":1,\"value\":511,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                     "");
        assert_int_equal(load(t, &c), 0);
        struct box_seccomp_prog prog;
        assert_int_equal(seccomp_compile(&c, 0, &prog), 0);
        assert_true(prog.len > 10);
        assert_int_equal(prog.flags, 2 /* SECCOMP_FILTER_FLAG_LOG */);
        seccomp_prog_free(&prog);
        box_config_free(&c);
}

/* docs/oci-fields.md is the table, generated; every path the parser names is in it. */
static void test_fields_doc(void **state)
{
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        oci_fields_markdown(f);
        fclose(f);
        _cleanup_free_ char *gen = buf, *doc = NULL;
        if (read_file_at(AT_FDCWD, "docs/oci-fields.md", &doc, 1 << 20) < 0)
                fail_msg("docs/oci-fields.md missing: make docs/oci-fields.md");
        if (!streq(gen, doc))
                fail_msg("docs/oci-fields.md differs from the table in "
                         "launcher/frontend/oci/fields.c: run make docs/oci-fields.md");
        static const char *const paths[] = {
                "linux.resources.memory.swap",
                "mounts[3].options[1]",
                "hooks.poststop[0].timeout",
                "linux.seccomp.syscalls[2].args[0].valueTwo",
                "linux.timeOffsets.boottime.secs",
                "process.capabilities.ambient",
                "linux.resources.blockIO.throttleReadIOPSDevice[0].rate"};
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
                if (!oci_field_find(paths[i]))
                        fail_msg("%s is not in the field table", paths[i]);
        assert_null(oci_field_find("linux.bogus"));
        assert_int_equal(oci_field_find("linux.intelRdt")->support, OCI_REJECTED);
        assert_int_equal(oci_field_find("linux.resources.memory.kernel")->support, OCI_IGNORED);
}

int main(void)
{
        log_set_sink(capture, NULL);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal),
                cmocka_unit_test(test_process),
                cmocka_unit_test(test_mounts_and_hooks),
                cmocka_unit_test(test_linux),
                cmocka_unit_test(test_accepted_like_runc),
                cmocka_unit_test(test_rejections),
                cmocka_unit_test(test_unknown_ignored),
                cmocka_unit_test(test_box_round_trip),
                cmocka_unit_test(test_export_needs_numbers),
                cmocka_unit_test(test_fields_doc),
                cmocka_unit_test(test_seccomp_literal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
