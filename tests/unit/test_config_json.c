/* test_config_json.c - the state format keeps every field of a config: a config with every field
 * away from its default survives to_json -> from_json, compared field by field. */
#include <limits.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config_json.h"
#include "util/log.h"

#include <signal.h>
#include <sys/mount.h>

/* A field added to struct box_config must be added to config_json.c's table and to full() (and
 * assert_same() below, or at least full(): round_trip() compares the JSON texts too); this size
 * check is the reminder. */
_Static_assert(sizeof(struct box_config) == 2024, "struct box_config changed: update config_json.c "
                                                  "and this test");

static char **sv(const char *a, const char *b)
{
        char **v = xcalloc(3, sizeof(char *));
        v[0] = xstrdup(a);
        if (b)
                v[1] = xstrdup(b);
        return v;
}

static const char *test_field_name(enum box_field f, const char *item, char *buf, size_t n)
{
        snprintf(buf, n, "<%s>", box_field_generic_name(f));
        return buf;
}

static const struct box_frontend test_frontend = {.kind = "test", .field_name = test_field_name};

/* Every field set, none to its default. */
static void full(struct box_config *c)
{
        box_config_init(c);
        c->source_file = xstrdup("/etc/boxlaunch/full.box");
        box_frontend_register(&test_frontend);
        c->frontend = &test_frontend;
        box_config_set_origin(c, BOX_F_ROOT, 3);
        box_config_set_origin(c, BOX_F_MEMORY_MAX, 40);
        box_config_set_origin(c, BOX_F_RLIMIT + RLIMIT_NOFILE, 12);
        box_config_set_origin(c, _BOX_F_MAX - 1, 99);
        c->name = xstrdup("full");
        c->root = xstrdup("/srv/root dir");
        c->read_only = true;
        c->hostname = xstrdup("host-\"quoted\"");
        c->ephemeral = true;
        c->argv = sv("/bin/sh", "-c \"echo ;#\"");
        c->env = sv("A=1", "B=two words");
        c->user = xstrdup("app");
        c->group = xstrdup("staff");
        c->supplementary_groups = sv("wheel", "10");
        c->cwd = xstrdup("/srv");
        c->boot = true;
        c->init = BOX_NO;
        c->kill_signal = SIGRTMIN + 4;
        c->stop_timeout_usec = 1234567;
        c->console = BOX_CONSOLE_READ_ONLY;
        c->notify_ready = true;
        c->no_new_privileges = BOX_YES;
        c->personality = 8;
        c->oom_score_adj = -17;
        c->oom_score_adj_set = true;
        c->cpu_affinity = xstrdup("0-1");
        c->rlimits[RLIMIT_NOFILE] =
                (struct box_rlimit){.resource = RLIMIT_NOFILE, .set = true, .value = {10, 20}};
        c->rlimits[RLIMIT_CORE] = (struct box_rlimit){
                .resource = RLIMIT_CORE, .set = true, .value = {0, RLIM_INFINITY}};
        c->sysctls = xcalloc(1, sizeof(*c->sysctls));
        c->sysctls[0] = (struct box_sysctl){xstrdup("net.ipv4.ip_forward"), xstrdup("1")};
        c->n_sysctls = 1;
        c->ns_uts = c->ns_ipc = c->ns_cgroup = false;
        c->ns_time = true;
        c->net = BOX_NET_PRIVATE;
        c->userns = BOX_USERNS_FIXED;
        c->uid_base = 0x80000;
        c->uid_count = 0x10000;
        c->caps = (struct box_caps){
                .set_given = true, .set = 0x3, .add = 0x10, .drop = 0x4, .ambient = 1ULL << 40};
        c->seccomp = (struct box_seccomp){.enabled = false,
                                          .allow = sv("@keyring", NULL),
                                          .deny = sv("ptrace", "kcmp"),
                                          .errno_value = ENOSYS};
        c->apparmor_profile = xstrdup("boxlaunch-default");
        c->apparmor_optional = true;
        c->mask_paths = sv("/proc/x", NULL);
        c->read_only_paths = sv("/srv/ro", "/srv/ro2");
        struct box_limits *l = &c->limits;
        l->memory_max = 1ULL << 30;
        l->memory_high = BOX_LIMIT_UNSET - 1; /* infinity */
        l->memory_swap_max = 0;
        l->cpu_quota_ppm = 1500000;
        l->cpu_period_usec = 50000;
        l->cpu_weight = 200;
        l->cpuset_cpus = xstrdup("1");
        l->cpuset_mems = xstrdup("0");
        l->tasks_max = 99;
        l->io_weight = 300;
        l->io = xcalloc(1, sizeof(*l->io));
        l->io[0] = (struct box_io_limit){xstrdup("/dev/vda"), 254, 0, 1, 2, 3, 4};
        l->n_io = 1;
        l->parent = xstrdup("machine.slice");
        c->mounts = xcalloc(2, sizeof(*c->mounts));
        c->mounts[0] = (struct box_mount){.name = xstrdup("data"),
                                          .type = BOX_MOUNT_BIND,
                                          .source = xstrdup("/srv/data"),
                                          .target = xstrdup("/data"),
                                          .flags = MS_RDONLY | MS_NOSUID,
                                          .propagation = MS_SLAVE | MS_REC,
                                          .recursive = true,
                                          .dev = true,
                                          .suid = true,
                                          .optional = true,
                                          .origin = {c->source_file, 42}};
        c->mounts[1] = (struct box_mount){.name = xstrdup("ov"),
                                          .type = BOX_MOUNT_OVERLAY,
                                          .target = xstrdup("/ov"),
                                          .lower = sv("/l1", "/l2"),
                                          .upper = xstrdup("/u"),
                                          .work = xstrdup("/w"),
                                          .data = xstrdup("size=1M"),
                                          .origin = {c->source_file, 50}};
        c->n_mounts = 2;
        c->devices = xcalloc(1, sizeof(*c->devices));
        c->devices[0] = (struct box_device){.name = xstrdup("fuse"),
                                            .path = xstrdup("/dev/fuse"),
                                            .type = 'c',
                                            .major = 10,
                                            .minor = 229,
                                            .access = "rw",
                                            .mode = 0660,
                                            .uid = 5,
                                            .gid = 6,
                                            .origin = {c->source_file, 60}};
        c->n_devices = 1;
        c->hooks = xcalloc(1, sizeof(*c->hooks));
        c->hooks[0] = (struct box_hook){.name = xstrdup("h"),
                                        .stage = BOX_HOOK_POSTSTOP,
                                        .argv = sv("/bin/true", NULL),
                                        .env = sv("X=y", NULL),
                                        .timeout_usec = 5000000,
                                        .origin = {c->source_file, 70}};
        c->n_hooks = 1;
        struct box_net *n = &c->netcfg;
        n->veth = BOX_YES;
        n->bridge = xstrdup("br0");
        n->zone = xstrdup("lab");
        n->interfaces = sv("ifb0", "ifb1");
        n->macvlan = sv("eth1", NULL);
        n->ipvlan = sv("eth2", NULL);
        n->addresses = sv("10.0.3.2/24", "fd00:1::2/64");
        n->masquerade = BOX_NO;
        n->localhost = false;
        n->resolv_conf = BOX_RESOLV_BIND_HOST;
        n->ports = xcalloc(1, sizeof(*n->ports));
        n->ports[0] = (struct box_port){.name = xstrdup("web"),
                                        .protocol = BOX_PROTO_UDP,
                                        .host_address = xstrdup("127.0.0.1"),
                                        .host_port = 8080,
                                        .box_port = 80,
                                        .origin = {c->source_file, 80}};
        n->n_ports = 1;
        c->hooks[0].path = xstrdup("/usr/bin/true");
        /* The fields beyond the .box keys (the OCI front-end's). */
        c->mounts[0].fstype = xstrdup("ext4");
        c->mounts[0].rec_attr_set = 1;
        c->mounts[0].rec_attr_clr = 2;
        c->mounts[0].tmpcopyup = true;
        c->mounts[0].idmap_recursive = true;
        c->mounts[0].uid_map = xcalloc(1, sizeof(struct box_id_map));
        c->mounts[0].uid_map[0] = (struct box_id_map){0, 1000, 10};
        c->mounts[0].n_uid_map = 1;
        c->mounts[0].gid_map = xcalloc(1, sizeof(struct box_id_map));
        c->mounts[0].gid_map[0] = (struct box_id_map){1, 2000, 20};
        c->mounts[0].n_gid_map = 1;
        c->caps.sets_given = true;
        c->caps.bounding = 7;
        c->caps.effective = 1;
        c->caps.inheritable = 2;
        c->caps.permitted = 3;
        c->seccomp.literal = true;
        c->seccomp.default_action = BOX_SCMP_ERRNO | 38;
        c->seccomp.arches = sv("SCMP_ARCH_X86_64", NULL);
        c->seccomp.flags = sv("SECCOMP_FILTER_FLAG_LOG", NULL);
        c->seccomp.listener_path = xstrdup("/run/l.sock");
        c->seccomp.listener_metadata = xstrdup("meta");
        c->seccomp.rules = xcalloc(1, sizeof(*c->seccomp.rules));
        c->seccomp.rules[0].names = sv("getcwd", "chdir");
        c->seccomp.rules[0].action = BOX_SCMP_ALLOW;
        c->seccomp.rules[0].args = xcalloc(1, sizeof(*c->seccomp.rules[0].args));
        c->seccomp.rules[0].args[0] = (struct box_seccomp_arg){1, 2, 3, 7};
        c->seccomp.rules[0].n_args = 1;
        c->seccomp.n_rules = 1;
        l->path = xstrdup("system.slice:p:n");
        l->memory_swappiness1 = 11;
        l->oom_kill_disable = true;
        l->memory_kmem_tcp1 = 50593793;
        l->cpu_shares = 512;
        l->cpu_burst_usec = 1000;
        l->cpu_rt_runtime1 = 101;
        l->cpu_rt_period_usec = 1000;
        l->cpu_idle = 1;
        l->io_weights = xcalloc(1, sizeof(*l->io_weights));
        l->io_weights[0] = (struct box_io_weight_device){8, 0, 100, 0};
        l->n_io_weights = 1;
        l->hugepages = xcalloc(1, sizeof(*l->hugepages));
        l->hugepages[0] = (struct box_hugepage_limit){xstrdup("2MB"), 4096};
        l->n_hugepages = 1;
        l->unified = sv("memory.high=1000", NULL);
        l->dev_rules = xcalloc(1, sizeof(*l->dev_rules));
        l->dev_rules[0] = (struct box_dev_rule){true, 'c', 1, -1, "rw"};
        l->n_dev_rules = 1;
        l->dev_rules_given = true;
        c->ns_join[BOX_NS_NET] = xstrdup("/run/netns/x");
        c->ns_join[BOX_NS_TIME] = xstrdup("/proc/1/ns/time");
        c->ns_pid_host = true;
        c->uid_map = xcalloc(2, sizeof(struct box_id_map));
        c->uid_map[0] = (struct box_id_map){0, 100000, 1000};
        c->uid_map[1] = (struct box_id_map){1000, 5000, 1};
        c->n_uid_map = 2;
        c->gid_map = xcalloc(1, sizeof(struct box_id_map));
        c->gid_map[0] = (struct box_id_map){0, 100000, 65536};
        c->n_gid_map = 1;
        c->umask = 027;
        c->console_height = 24;
        c->console_width = 80;
        c->sched = (struct box_sched){true, 6, -5, 0, 1, 10, 20, 30};
        c->ioprio_class = 2;
        c->ioprio_level = 4;
        c->cpu_affinity_initial = xstrdup("0");
        c->mempolicy_mode1 = 3;
        c->mempolicy_flags = 1u << 15;
        c->mempolicy_nodes = xstrdup("0");
        c->selinux_label = xstrdup("system_u:system_r:container_t:s0");
        c->mount_label = xstrdup("system_u:object_r:container_file_t:s0");
        c->domainname = xstrdup("example.org");
        c->rootfs_propagation = MS_SLAVE | MS_REC;
        c->time_offset_secs[0] = -100;
        c->time_offset_secs[1] = 200;
        c->time_offset_nsecs[0] = 5;
        c->time_offset_nsecs[1] = 6;
        c->time_offsets_set = true;
        c->annotations = sv("a=b", "io.boxlaunch.init=1");
        c->api_listed = true;
        c->process_exact = true;
}

static void assert_strv(char **a, char **b)
{
        if (!a || !b) {
                assert_null(a);
                assert_null(b);
                return;
        }
        assert_int_equal(strv_length(a), strv_length(b));
        for (size_t i = 0; a[i]; i++)
                assert_string_equal(a[i], b[i]);
}

static void assert_str(const char *a, const char *b)
{
        if (!a || !b) {
                assert_null(a);
                assert_null(b);
        } else
                assert_string_equal(a, b);
}

static void assert_origin(const struct box_config *c, struct box_origin a, struct box_origin b)
{
        assert_int_equal(a.line, b.line);
        if (b.file)
                assert_ptr_equal(b.file, c->source_file);
}

static void assert_same(const struct box_config *a, const struct box_config *b)
{
        assert_str(a->source_file, b->source_file);
        assert_ptr_equal(a->frontend, b->frontend);
        for (int f = 0; f < _BOX_F_MAX; f++)
                assert_int_equal(a->field_line[f], b->field_line[f]);
        assert_str(a->name, b->name);
        assert_str(a->root, b->root);
        assert_int_equal(a->read_only, b->read_only);
        assert_str(a->hostname, b->hostname);
        assert_int_equal(a->ephemeral, b->ephemeral);
        assert_strv(a->argv, b->argv);
        assert_strv(a->env, b->env);
        assert_str(a->user, b->user);
        assert_str(a->group, b->group);
        assert_strv(a->supplementary_groups, b->supplementary_groups);
        assert_str(a->cwd, b->cwd);
        assert_int_equal(a->boot, b->boot);
        assert_int_equal(a->init, b->init);
        assert_int_equal(a->kill_signal, b->kill_signal);
        assert_int_equal(a->stop_timeout_usec, b->stop_timeout_usec);
        assert_int_equal(a->console, b->console);
        assert_int_equal(a->notify_ready, b->notify_ready);
        assert_int_equal(a->no_new_privileges, b->no_new_privileges);
        assert_int_equal(a->personality, b->personality);
        assert_int_equal(a->oom_score_adj, b->oom_score_adj);
        assert_int_equal(a->oom_score_adj_set, b->oom_score_adj_set);
        assert_str(a->cpu_affinity, b->cpu_affinity);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                assert_int_equal(a->rlimits[i].set, b->rlimits[i].set);
                if (!a->rlimits[i].set)
                        continue;
                assert_int_equal(a->rlimits[i].resource, b->rlimits[i].resource);
                assert_int_equal(a->rlimits[i].value.rlim_cur, b->rlimits[i].value.rlim_cur);
                assert_int_equal(a->rlimits[i].value.rlim_max, b->rlimits[i].value.rlim_max);
        }
        assert_int_equal(a->n_sysctls, b->n_sysctls);
        for (size_t i = 0; i < a->n_sysctls; i++) {
                assert_str(a->sysctls[i].key, b->sysctls[i].key);
                assert_str(a->sysctls[i].value, b->sysctls[i].value);
        }
        assert_int_equal(a->ns_uts, b->ns_uts);
        assert_int_equal(a->ns_ipc, b->ns_ipc);
        assert_int_equal(a->ns_cgroup, b->ns_cgroup);
        assert_int_equal(a->ns_time, b->ns_time);
        assert_int_equal(a->net, b->net);
        assert_int_equal(a->userns, b->userns);
        assert_int_equal(a->uid_base, b->uid_base);
        assert_int_equal(a->uid_count, b->uid_count);
        assert_int_equal(a->caps.set_given, b->caps.set_given);
        assert_int_equal(a->caps.set, b->caps.set);
        assert_int_equal(a->caps.add, b->caps.add);
        assert_int_equal(a->caps.drop, b->caps.drop);
        assert_int_equal(a->caps.ambient, b->caps.ambient);
        assert_int_equal(a->seccomp.enabled, b->seccomp.enabled);
        assert_strv(a->seccomp.allow, b->seccomp.allow);
        assert_strv(a->seccomp.deny, b->seccomp.deny);
        assert_int_equal(a->seccomp.errno_value, b->seccomp.errno_value);
        assert_str(a->apparmor_profile, b->apparmor_profile);
        assert_int_equal(a->apparmor_optional, b->apparmor_optional);
        assert_strv(a->mask_paths, b->mask_paths);
        assert_strv(a->read_only_paths, b->read_only_paths);
        const struct box_limits *la = &a->limits, *lb = &b->limits;
        assert_int_equal(la->memory_max, lb->memory_max);
        assert_int_equal(la->memory_high, lb->memory_high);
        assert_int_equal(la->memory_swap_max, lb->memory_swap_max);
        assert_int_equal(la->cpu_quota_ppm, lb->cpu_quota_ppm);
        assert_int_equal(la->cpu_period_usec, lb->cpu_period_usec);
        assert_int_equal(la->cpu_weight, lb->cpu_weight);
        assert_str(la->cpuset_cpus, lb->cpuset_cpus);
        assert_str(la->cpuset_mems, lb->cpuset_mems);
        assert_int_equal(la->tasks_max, lb->tasks_max);
        assert_int_equal(la->io_weight, lb->io_weight);
        assert_int_equal(la->n_io, lb->n_io);
        for (size_t i = 0; i < la->n_io; i++) {
                assert_str(la->io[i].device, lb->io[i].device);
                assert_int_equal(la->io[i].major, lb->io[i].major);
                assert_int_equal(la->io[i].minor, lb->io[i].minor);
                assert_int_equal(la->io[i].rbps, lb->io[i].rbps);
                assert_int_equal(la->io[i].wbps, lb->io[i].wbps);
                assert_int_equal(la->io[i].riops, lb->io[i].riops);
                assert_int_equal(la->io[i].wiops, lb->io[i].wiops);
        }
        assert_str(la->parent, lb->parent);
        assert_int_equal(a->n_mounts, b->n_mounts);
        for (size_t i = 0; i < a->n_mounts; i++) {
                const struct box_mount *x = &a->mounts[i], *y = &b->mounts[i];
                assert_str(x->name, y->name);
                assert_int_equal(x->type, y->type);
                assert_str(x->source, y->source);
                assert_str(x->target, y->target);
                assert_strv(x->lower, y->lower);
                assert_str(x->upper, y->upper);
                assert_str(x->work, y->work);
                assert_int_equal(x->flags, y->flags);
                assert_int_equal(x->propagation, y->propagation);
                assert_str(x->data, y->data);
                assert_int_equal(x->recursive, y->recursive);
                assert_int_equal(x->dev, y->dev);
                assert_int_equal(x->suid, y->suid);
                assert_int_equal(x->optional, y->optional);
                assert_origin(b, x->origin, y->origin);
        }
        assert_int_equal(a->n_devices, b->n_devices);
        for (size_t i = 0; i < a->n_devices; i++) {
                const struct box_device *x = &a->devices[i], *y = &b->devices[i];
                assert_str(x->name, y->name);
                assert_str(x->path, y->path);
                assert_int_equal(x->type, y->type);
                assert_int_equal(x->major, y->major);
                assert_int_equal(x->minor, y->minor);
                assert_string_equal(x->access, y->access);
                assert_int_equal(x->mode, y->mode);
                assert_int_equal(x->uid, y->uid);
                assert_int_equal(x->gid, y->gid);
                assert_origin(b, x->origin, y->origin);
        }
        assert_int_equal(a->n_hooks, b->n_hooks);
        for (size_t i = 0; i < a->n_hooks; i++) {
                const struct box_hook *x = &a->hooks[i], *y = &b->hooks[i];
                assert_str(x->name, y->name);
                assert_int_equal(x->stage, y->stage);
                assert_strv(x->argv, y->argv);
                assert_strv(x->env, y->env);
                assert_int_equal(x->timeout_usec, y->timeout_usec);
                assert_origin(b, x->origin, y->origin);
        }
        const struct box_net *na = &a->netcfg, *nb = &b->netcfg;
        assert_int_equal(na->veth, nb->veth);
        assert_str(na->bridge, nb->bridge);
        assert_str(na->zone, nb->zone);
        assert_strv(na->interfaces, nb->interfaces);
        assert_strv(na->macvlan, nb->macvlan);
        assert_strv(na->ipvlan, nb->ipvlan);
        assert_strv(na->addresses, nb->addresses);
        assert_int_equal(na->masquerade, nb->masquerade);
        assert_int_equal(na->localhost, nb->localhost);
        assert_int_equal(na->resolv_conf, nb->resolv_conf);
        assert_int_equal(na->n_ports, nb->n_ports);
        for (size_t i = 0; i < na->n_ports; i++) {
                const struct box_port *x = &na->ports[i], *y = &nb->ports[i];
                assert_str(x->name, y->name);
                assert_int_equal(x->protocol, y->protocol);
                assert_str(x->host_address, y->host_address);
                assert_int_equal(x->host_port, y->host_port);
                assert_int_equal(x->box_port, y->box_port);
                assert_origin(b, x->origin, y->origin);
        }
}

static char logged[1024];

static void capture(enum log_level l, const char *line, void *userdata)
{
        size_t n = strlen(logged);
        snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/* The describer travels by its kind: a config read back names its fields the same way. */
static void test_where_after_round_trip(void **state)
{
        struct box_config c, b;
        full(&c);
        _cleanup_free_ char *text = box_config_to_json_string(&c);
        box_config_init(&b);
        assert_int_equal(box_config_from_json_string(text, "test.json", &b), 0);
        char w[256];
        assert_string_equal(box_config_where(&b, BOX_F_MEMORY_MAX, NULL, 0, w, sizeof(w)),
                            "/etc/boxlaunch/full.box:40: <memory_max>");
        assert_string_equal(
                box_config_where(&b, BOX_F_RLIMIT + RLIMIT_NOFILE, NULL, 0, w, sizeof(w)),
                "/etc/boxlaunch/full.box:12: <rlimits.RLIMIT_NOFILE>");
        box_config_free(&b);
        box_config_free(&c);
}

static void round_trip(const struct box_config *a)
{
        _cleanup_free_ char *text = box_config_to_json_string(a);
        struct box_config b;
        box_config_init(&b);
        int r = box_config_from_json_string(text, "test.json", &b);
        if (r < 0)
                fail_msg("%s\n%s", logged, text);
        assert_same(a, &b);
        /* And the text of the copy is the text of the original. */
        _cleanup_free_ char *again = box_config_to_json_string(&b);
        assert_string_equal(text, again);
        box_config_free(&b);
}

static void test_full_round_trip(void **state)
{
        struct box_config c;
        full(&c);
        round_trip(&c);
        box_config_free(&c);
}

/* The writer makes json-c's own text (JSON_C_TO_STRING_PLAIN): what json-c prints of the parsed
 * text is the text, escapes of every byte and numbers at their limits included. */
static void assert_json_c_text(const struct box_config *c)
{
        _cleanup_free_ char *text = box_config_to_json_string(c);
        struct json_object *o = json_tokener_parse(text);
        if (!o)
                fail_msg("not JSON: %s", text);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), text);
        json_object_put(o);
}

static void test_text_is_json_c_text(void **state)
{
        struct box_config c;
        full(&c);
        assert_json_c_text(&c);
        char all[256];
        for (int i = 1; i < 256; i++)
                all[i - 1] = (char)i;
        all[255] = 0;
        free(c.hostname);
        c.hostname = xstrdup(all);
        c.limits.memory_max = UINT64_MAX - 1;
        c.time_offset_secs[0] = INT64_MIN;
        c.oom_score_adj = INT_MIN;
        assert_json_c_text(&c);
        /* The object is that text, parsed. */
        struct json_object *o = box_config_to_json(&c);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "hostname")), all);
        json_object_put(o);
        box_config_free(&c);
        box_config_init(&c);
        assert_json_c_text(&c);
        box_config_free(&c);
}

static void test_default_round_trip(void **state)
{
        struct box_config c;
        box_config_init(&c);
        round_trip(&c);
        c.name = xstrdup("x");
        c.root = xstrdup("/r");
        assert_int_equal(box_config_validate(&c), 0);
        round_trip(&c);
        box_config_free(&c);
}

static void expect_refused(const char *text, const char *words)
{
        struct box_config c;
        box_config_init(&c);
        logged[0] = 0;
        assert_int_equal(box_config_from_json_string(text, "state.json", &c), -EINVAL);
        /* One line, naming the source and the key. */
        if (strncmp(logged, "state.json: ", 12) != 0 || !strstr(logged, words) ||
            strchr(logged, '\n') != strrchr(logged, '\n'))
                fail_msg("'%s' does not say 'state.json: ...%s'", logged, words);
        box_config_free(&c);
}

static void test_refused(void **state)
{
        expect_refused("{", "invalid JSON");
        expect_refused("[]", "version 1");
        expect_refused("{\"name\":\"x\"}", "version 1");
        expect_refused("{\"version\":2}", "version 1");
        expect_refused("{\"version\":1,\"nmae\":\"x\"}", "unknown key 'nmae'");
        expect_refused("{\"version\":1,\"boot\":1}", "boot: not a boolean");
        expect_refused("{\"version\":1,\"boot\":null}", "boot: null");
        expect_refused("{\"version\":1,\"memory_max\":-1}", "memory_max: negative");
        expect_refused("{\"version\":1,\"uid_base\":4294967296}", "uid_base");
        expect_refused("{\"version\":1,\"console\":\"tty\"}", "console: unknown value 'tty'");
        expect_refused("{\"version\":1,\"argv\":[1]}", "argv[0]: not a string");
        expect_refused("{\"version\":1,\"mounts\":[{\"name\":\"a\",\"bogus\":1}]}",
                       "mounts[0]: unknown key 'bogus'");
        expect_refused("{\"version\":1,\"rlimits\":{\"RLIMIT_FOO\":[1,2]}}", "RLIMIT_FOO");
        expect_refused("{\"version\":1,\"devices\":[{\"access\":\"rwmx\"}]}", "access");
        expect_refused("{\"version\":1,\"frontend\":\"nope\"}", "unknown front-end 'nope'");
        expect_refused("{\"version\":1,\"field_lines\":{\"bogus\":1}}",
                       "field_lines.bogus: unknown field");
        expect_refused("{\"version\":1,\"field_lines\":{\"root\":-1}}", "root: negative");
}

/* The generic names are the state file's keys for field lines: one per field. */
static void test_generic_names_unique(void **state)
{
        for (int f = 1; f < _BOX_F_MAX; f++) {
                const char *n = box_field_generic_name(f);
                assert_string_not_equal(n, "config");
                assert_int_equal(box_field_from_generic_name(n), f);
        }
}

/* The name tables are char arrays sized for their longest entry (no relocation at start); an
 * entry as long as its array would lose its NUL and run into the next one. */
static void test_name_tables_terminated(void **state)
{
        (void)state;
        const struct box_frontend *oci = box_frontend_find("oci");
        assert_non_null(oci);
        char buf[256];
        for (int f = 0; f < _BOX_F_MAX; f++) {
                assert_true(strlen(box_field_generic_name(f)) < 26);
                assert_true(strlen(oci->field_name(f, NULL, buf, sizeof(buf))) < 48);
                assert_true(strlen(oci->field_name(f, "m", buf, sizeof(buf))) < 2 + 12);
        }
}

int main(void)
{
        log_set_sink(capture, NULL);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_round_trip),
                cmocka_unit_test(test_where_after_round_trip),
                cmocka_unit_test(test_generic_names_unique),
                cmocka_unit_test(test_name_tables_terminated),
                cmocka_unit_test(test_default_round_trip),
                cmocka_unit_test(test_text_is_json_c_text),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
