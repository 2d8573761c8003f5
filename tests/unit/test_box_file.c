/* test_box_file.c - the .box front-end: good files, validation, and malformed files with the
 * exact line and message of every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frontend/box/box.h"
#include "core/config.h"
#include "core/config_json.h"
#include "util/log.h"

#include <malloc.h>
#include <sys/mount.h>
#include <sys/resource.h>

/* ---- log capture --------------------------------------------------------------------------- */

#define MAX_LINES 64

static char *lines[MAX_LINES];
static size_t n_lines;

static void reset_log(void)
{
        for (size_t i = 0; i < n_lines; i++)
                free(lines[i]);
        n_lines = 0;
}

static void sink(enum log_level l, const char *line, void *userdata)
{
        if (l != LOG_LVL_ERROR)
                return;
        if (n_lines < MAX_LINES)
                lines[n_lines++] = xstrdup(line);
}

static void dump_log(void)
{
        for (size_t i = 0; i < n_lines; i++)
                print_message("  log: %s\n", lines[i]);
}

/* True if some captured error starts with "<prefix>" and contains needle. */
static bool logged(const char *prefix, const char *needle)
{
        for (size_t i = 0; i < n_lines; i++)
                if (strncmp(lines[i], prefix, strlen(prefix)) == 0 && strstr(lines[i], needle))
                        return true;
        return false;
}

static void expect_logged(const char *prefix, const char *needle)
{
        if (!logged(prefix, needle)) {
                print_message("expected an error starting with '%s' containing '%s'\n", prefix,
                              needle);
                dump_log();
                fail();
        }
}

static void expect_n_errors(size_t n)
{
        if (n_lines != n) {
                print_message("expected %zu error lines, got %zu\n", n, n_lines);
                dump_log();
                fail();
        }
}

static int load_n(const char *name, const char *data, size_t len, struct box_config *c)
{
        reset_log();
        box_config_init(c);
        return box_file_load_buffer(name, data, len, c);
}

static int load(const char *name, const char *text, struct box_config *c)
{
        return load_n(name, text, strlen(text), c);
}

static int setup(void **state)
{
        log_set_sink(sink, NULL);
        return 0;
}

static int teardown(void **state)
{
        reset_log();
        return 0;
}

/* ---- good files ---------------------------------------------------------------------------- */

static const char full_box[] =
        "# A box using every section.\r\n"
        "; another comment style\n"
        "[Box]\n"
        "Directory = /srv/web/rootfs\n"
        "ReadOnly = yes\n"
        "Ephemeral = off\n"
        "\n"
        "[Exec]\n"
        "Command = \"/usr/bin/nginx -g 'daemon off;' 'a b' \\\n"
        "          --last\"\n"
        "Environment = LANG=C.UTF-8 \"GREETING=hello world\" TZ=UTC\r\n"
        "User = www-data\n"
        "Group = www\n"
        "SupplementaryGroups = adm, audio video\n"
        "WorkingDirectory = /var/www  # a comment after a space\n"
        "StopTimeout = 1min 30s\n"
        "Console = read-only\n"
        "NotifyReady = yes\n"
        "NoNewPrivileges = no\n"
        "Personality = x86-64\n"
        "OOMScoreAdjust = -500\n"
        "CPUAffinity = 0-1, 3\n"
        "Sysctl = net.ipv4.ip_forward=1 kernel.shmmax=65536 fs.mqueue.msg_max=20\n"
        "LimitNOFILE = 1024:4096\n"
        "LimitCORE = infinity\n"
        "LimitNPROC = 100\n"
        "LimitSTACK = 8M:infinity\n"
        "\n"
        "[Namespaces]\n"
        "Network = private\n"
        "User = 100000:65536\n"
        "UTS = yes\n"
        "IPC = yes\n"
        "Cgroup = true\n"
        "Time = on\n"
        "\n"
        "[Security]\n"
        "Seccomp = yes\n"
        "SystemCallErrorNumber = EACCES\n"
        "AppArmorProfile = boxlaunch-default\n"
        "AppArmorOptional = yes\n"
        "MaskPaths = /proc/kcore \"/sys/firmware dir\"\n"
        "ReadOnlyPaths = /proc/sys\n"
        "\n"
        "[Limits]\n"
        "MemoryMax = 256M\n"
        "MemoryHigh = infinity\n"
        "MemorySwapMax = 0\n"
        "CPUQuota = 150%\n"
        "CPUQuotaPeriodSec = 50ms\n"
        "CPUWeight = 200\n"
        "AllowedCPUs = 0-3, 5\n"
        "AllowedMemoryNodes = 0\n"
        "TasksMax = 512\n"
        "IOWeight = 10000\n"
        "Parent = /boxes.slice\n"
        "\n"
        "[Mount data]\n"
        "Source = /srv/data\n"
        "Target = /data\n"
        "Options = ro,nosuid\n"
        "Propagation = rslave\n"
        "\n"
        "[Mount tmp]\n"
        "Type = tmpfs\n"
        "Target = /tmp\n"
        "Options = size=64m,mode=1777,nodev,noexec\n"
        "\n"
        "[Mount usr]\n"
        "Type = overlay\n"
        "Target = /usr\n"
        "LowerDirs = /srv/lower1 /srv/lower2\n"
        "UpperDir = /srv/upper\n"
        "WorkDir = /srv/work\n"
        "\n"
        "[mount Cache]\n"
        "Source = /var/cache/x\n"
        "Target = /var/cache\n"
        "Options = bind,rw,nodev\n"
        "Optional = yes\n"
        "\n"
        "[Device fuse]\n"
        "Path = /dev/fuse\n"
        "Type = char\n"
        "Number = 10:229\n"
        "Access = rw\n"
        "Mode = 0600\n"
        "\n"
        "[Device loop0]\n"
        "Path = /dev/loop0\n"
        "Type = b\n"
        "Number = 7:0\n"
        "\n"
        "[Hook net-up]\n"
        "Stage = createRuntime\n"
        "Command = \"/usr/libexec/net-hook --up '#1'\"\n"
        "Environment = IFACE=veth0\n"
        "Timeout = 5s\n"
        "\n"
        "[Hook cleanup]\n"
        "Stage = poststop\n"
        "Command = \"/usr/libexec/clean; really\"\n";

static void test_full_file(void **state)
{
        struct box_config c;
        int r = load("/etc/boxlaunch/web.box", full_box, &c);
        if (r != 0)
                dump_log();
        assert_int_equal(r, 0);
        expect_n_errors(0);

        assert_string_equal(c.source_file, "/etc/boxlaunch/web.box");
        assert_string_equal(c.name, "web"); /* file name minus .box */
        assert_string_equal(c.root, "/srv/web/rootfs");
        assert_true(c.read_only);
        assert_false(c.ephemeral);
        assert_null(c.hostname);

        /* argv: quotes, a quoted ';', and a continuation line. */
        const char *argv[] = {"/usr/bin/nginx", "-g", "daemon off;", "a b", "--last", NULL};
        for (size_t i = 0; argv[i]; i++)
                assert_string_equal(c.argv[i], argv[i]);
        assert_null(c.argv[5]);
        /* env in file order, CRLF stripped */
        assert_string_equal(c.env[0], "LANG=C.UTF-8");
        assert_string_equal(c.env[1], "GREETING=hello world");
        assert_string_equal(c.env[2], "TZ=UTC");
        assert_null(c.env[3]);
        assert_string_equal(c.user, "www-data");
        assert_string_equal(c.group, "www");
        assert_string_equal(c.supplementary_groups[0], "adm");
        assert_string_equal(c.supplementary_groups[1], "audio");
        assert_string_equal(c.supplementary_groups[2], "video");
        assert_null(c.supplementary_groups[3]);
        assert_string_equal(c.cwd, "/var/www");
        assert_int_equal(c.stop_timeout_usec, 90000000ULL);
        assert_int_equal(c.console, BOX_CONSOLE_READ_ONLY);
        assert_true(c.notify_ready);
        assert_int_equal(c.no_new_privileges, BOX_NO);
        assert_int_equal(c.personality, 0 /* PER_LINUX */);
        assert_true(c.oom_score_adj_set);
        assert_int_equal(c.oom_score_adj, -500);
        assert_string_equal(c.cpu_affinity, "0-1,3");
        assert_int_equal(c.n_sysctls, 3);
        assert_string_equal(c.sysctls[0].key, "net.ipv4.ip_forward");
        assert_string_equal(c.sysctls[0].value, "1");
        assert_string_equal(c.sysctls[1].key, "kernel.shmmax");
        assert_string_equal(c.sysctls[1].value, "65536");
        assert_string_equal(c.sysctls[2].key, "fs.mqueue.msg_max");
        assert_true(c.rlimits[RLIMIT_NOFILE].set);
        assert_int_equal(c.rlimits[RLIMIT_NOFILE].value.rlim_cur, 1024);
        assert_int_equal(c.rlimits[RLIMIT_NOFILE].value.rlim_max, 4096);
        assert_true(c.rlimits[RLIMIT_CORE].set);
        assert_true(c.rlimits[RLIMIT_CORE].value.rlim_cur == RLIM_INFINITY);
        assert_true(c.rlimits[RLIMIT_CORE].value.rlim_max == RLIM_INFINITY);
        assert_int_equal(c.rlimits[RLIMIT_NPROC].value.rlim_cur, 100);
        assert_int_equal(c.rlimits[RLIMIT_NPROC].value.rlim_max, 100);
        assert_int_equal(c.rlimits[RLIMIT_STACK].value.rlim_cur, 8 << 20);
        assert_true(c.rlimits[RLIMIT_STACK].value.rlim_max == RLIM_INFINITY);
        assert_false(c.rlimits[RLIMIT_AS].set);

        assert_int_equal(c.net, BOX_NET_PRIVATE);
        assert_int_equal(c.userns, BOX_USERNS_FIXED);
        assert_int_equal(c.uid_base, 100000);
        assert_int_equal(c.uid_count, 65536);
        assert_true(c.ns_uts);
        assert_true(c.ns_ipc);
        assert_true(c.ns_cgroup);
        assert_true(c.ns_time);

        assert_true(c.seccomp.enabled);
        assert_int_equal(c.seccomp.errno_value, EACCES);
        assert_string_equal(c.apparmor_profile, "boxlaunch-default");
        assert_true(c.apparmor_optional);
        assert_string_equal(c.mask_paths[0], "/proc/kcore");
        assert_string_equal(c.mask_paths[1], "/sys/firmware dir");
        assert_null(c.mask_paths[2]);
        assert_string_equal(c.read_only_paths[0], "/proc/sys");

        const struct box_limits *l = &c.limits;
        assert_int_equal(l->memory_max, 256ULL << 20);
        assert_true(l->memory_high == BOX_LIMIT_UNSET - 1); /* infinity */
        assert_int_equal(l->memory_swap_max, 0);
        assert_int_equal(l->cpu_quota_ppm, 1500000);
        assert_int_equal(l->cpu_period_usec, 50000);
        assert_int_equal(l->cpu_weight, 200);
        assert_string_equal(l->cpuset_cpus, "0-3,5");
        assert_string_equal(l->cpuset_mems, "0");
        assert_int_equal(l->tasks_max, 512);
        assert_int_equal(l->io_weight, 10000);
        assert_string_equal(l->parent, "boxes.slice");
        /* Where each key was set, for messages about a limit the host cannot honour: the line
         * of that key in full_box, and the key as the .box describer spells it. */
        static const struct {
                const char *key;
                enum box_field field;
        } lkeys[] = {{"MemoryMax", BOX_F_MEMORY_MAX},
                     {"CPUWeight", BOX_F_CPU_WEIGHT},
                     {"IOWeight", BOX_F_IO_WEIGHT},
                     {"Parent", BOX_F_CGROUP_PARENT}};
        for (size_t i = 0; i < ARRAY_SIZE(lkeys); i++) {
                _cleanup_free_ char *want = xasprintf("\n%s = ", lkeys[i].key);
                const char *at = strstr(full_box, want);
                assert_non_null(at);
                unsigned line = 2; /* the newline found is the end of the line before */
                for (const char *q = full_box; q < at; q++)
                        line += *q == '\n';
                assert_string_equal(c.source_file, "/etc/boxlaunch/web.box");
                assert_int_equal(c.field_line[lkeys[i].field], line);
                char w[256];
                _cleanup_free_ char *expect =
                        xasprintf("/etc/boxlaunch/web.box:%u: [Limits] %s", line, lkeys[i].key);
                assert_string_equal(box_config_where(&c, lkeys[i].field, NULL, 0, w, sizeof(w)),
                                    expect);
        }
        assert_int_equal(c.field_line[BOX_F_IO_READ_BPS], 0);

        /* mounts in file order */
        assert_int_equal(c.n_mounts, 4);
        struct box_mount *m = &c.mounts[0];
        assert_string_equal(m->name, "data");
        assert_int_equal(m->type, BOX_MOUNT_BIND);
        assert_string_equal(m->source, "/srv/data");
        assert_string_equal(m->target, "/data");
        assert_int_equal(m->flags, MS_RDONLY | MS_NOSUID);
        assert_int_equal(m->propagation, MS_SLAVE | MS_REC);
        assert_true(m->recursive);
        assert_false(m->optional);
        assert_null(m->data);
        assert_int_equal(m->origin.line, 58);
        m = &c.mounts[1];
        assert_string_equal(m->name, "tmp");
        assert_int_equal(m->type, BOX_MOUNT_TMPFS);
        assert_null(m->source);
        assert_string_equal(m->target, "/tmp");
        assert_string_equal(m->data, "size=64m,mode=1777");
        assert_int_equal(m->flags, MS_NODEV | MS_NOEXEC);
        assert_int_equal(m->propagation, 0);
        m = &c.mounts[2];
        assert_string_equal(m->name, "usr");
        assert_int_equal(m->type, BOX_MOUNT_OVERLAY);
        assert_string_equal(m->lower[0], "/srv/lower1");
        assert_string_equal(m->lower[1], "/srv/lower2");
        assert_null(m->lower[2]);
        assert_string_equal(m->upper, "/srv/upper");
        assert_string_equal(m->work, "/srv/work");
        m = &c.mounts[3];
        assert_string_equal(m->name, "cache"); /* labels are case-folded like iniparser does */
        assert_false(m->recursive);            /* "bind" rather than the default rbind */
        assert_true(m->optional);
        assert_int_equal(m->flags, MS_NODEV);

        assert_int_equal(c.n_devices, 2);
        struct box_device *d = &c.devices[0];
        assert_string_equal(d->name, "fuse");
        assert_string_equal(d->path, "/dev/fuse");
        assert_int_equal(d->type, 'c');
        assert_int_equal(d->major, 10);
        assert_int_equal(d->minor, 229);
        assert_string_equal(d->access, "rw");
        assert_int_equal(d->mode, 0600);
        d = &c.devices[1];
        assert_int_equal(d->type, 'b');
        assert_int_equal(d->major, 7);
        assert_int_equal(d->minor, 0);
        assert_string_equal(d->access, "rwm"); /* defaults */
        assert_int_equal(d->mode, 0666);

        assert_int_equal(c.n_hooks, 2);
        struct box_hook *h = &c.hooks[0];
        assert_string_equal(h->name, "net-up");
        assert_int_equal(h->stage, BOX_HOOK_CREATE_RUNTIME);
        assert_string_equal(h->argv[0], "/usr/libexec/net-hook");
        assert_string_equal(h->argv[1], "--up");
        assert_string_equal(h->argv[2], "#1");
        assert_null(h->argv[3]);
        assert_string_equal(h->env[0], "IFACE=veth0");
        assert_int_equal(h->timeout_usec, 5000000ULL);
        h = &c.hooks[1];
        assert_int_equal(h->stage, BOX_HOOK_POSTSTOP);
        assert_string_equal(h->argv[0], "/usr/libexec/clean;");
        assert_string_equal(h->argv[1], "really");
        assert_int_equal(h->timeout_usec, 0);

        /* Validation fills the derived defaults. */
        assert_int_equal(box_config_validate(&c), 0);
        expect_n_errors(0);
        assert_string_equal(c.hostname, "web");
        assert_string_equal(c.cwd, "/var/www");

        /* show must print without crashing. */
        FILE *f = fopen("/dev/null", "we");
        assert_non_null(f);
        box_file_show(&c, f);
        fclose(f);
        box_config_free(&c);
}

static void test_minimal_defaults(void **state)
{
        struct box_config c;
        assert_int_equal(load("mini.box", "[Box]\nDirectory=/srv/a\n", &c), 0);
        assert_string_equal(c.name, "mini");
        assert_null(c.argv);
        assert_null(c.env);
        assert_int_equal(c.n_mounts, 0);
        assert_int_equal(c.net, BOX_NET_PRIVATE);
        assert_int_equal(c.stop_timeout_usec, 10000000ULL);
        assert_true(c.seccomp.enabled);
        assert_int_equal(c.limits.memory_max, BOX_LIMIT_UNSET);
        assert_int_equal(box_config_validate(&c), 0);
        assert_string_equal(c.hostname, "mini");
        assert_string_equal(c.cwd, "/");
        box_config_free(&c);
}

static void test_name_override(void **state)
{
        struct box_config c;
        assert_int_equal(
                load("/x/y/file.box",
                     "[Box]\nName = other-name\nDirectory = /srv/a\nHostname = h.example\n", &c),
                0);
        assert_string_equal(c.name, "other-name");
        assert_int_equal(box_config_validate(&c), 0);
        assert_string_equal(c.hostname, "h.example");
        box_config_free(&c);

        /* No .box suffix: the whole base name. */
        assert_int_equal(load("/x/y/plain", "[Box]\nDirectory = /srv/a\n", &c), 0);
        assert_string_equal(c.name, "plain");
        box_config_free(&c);
}

static void test_relative_directory(void **state)
{
        struct box_config c;
        assert_int_equal(
                load("/nonexistent-dir/boxes/web.box", "[Box]\nDirectory = rootfs/web\n", &c), 0);
        assert_string_equal(c.root, "/nonexistent-dir/boxes/rootfs/web");
        box_config_free(&c);
        /* An existing directory is resolved to its real path. */
        assert_int_equal(load("/usr/lib/x.box", "[Box]\nDirectory = ../bin\n", &c), 0);
        char *real = realpath("/usr/bin", NULL);
        assert_string_equal(c.root, real);
        free(real);
        box_config_free(&c);
}

static void test_quoted_values(void **state)
{
        struct box_config c;
        assert_int_equal(load("q.box",
                              "[Box]\n"
                              "Directory = \"/srv/a#b;c\"\n"
                              "[Exec]\n"
                              "Command = \"/bin/sh -c 'echo 1; echo #2'\"   ; comment\n"
                              "Environment = 'URL=http://h/#frag'  # comment\n",
                              &c),
                         0);
        assert_string_equal(c.root, "/srv/a#b;c");
        assert_string_equal(c.argv[0], "/bin/sh");
        assert_string_equal(c.argv[1], "-c");
        assert_string_equal(c.argv[2], "echo 1; echo #2");
        assert_null(c.argv[3]);
        assert_string_equal(c.env[0], "URL=http://h/#frag");
        box_config_free(&c);
}

static void test_crlf_and_continuations(void **state)
{
        struct box_config c;
        const char text[] = "[Box]\r\n"
                            "Directory = /srv/a\r\n"
                            "[Exec]\r\n"
                            "Command = /bin/echo \\\r\n"
                            "  one \\\n"
                            "  two\r\n"
                            "Environment = A=1\r\n"
                            "[Mount m]\r\n"
                            "Source = /a\r\n"
                            "Target = /b\r\n";
        assert_int_equal(load("crlf.box", text, &c), 0);
        assert_string_equal(c.argv[0], "/bin/echo");
        assert_string_equal(c.argv[1], "one");
        assert_string_equal(c.argv[2], "two");
        assert_null(c.argv[3]);
        assert_string_equal(c.env[0], "A=1");
        assert_int_equal(c.n_mounts, 1);
        assert_int_equal(c.mounts[0].origin.line, 8); /* physical lines are counted */
        assert_string_equal(c.mounts[0].target, "/b");
        box_config_free(&c);
}

static void test_case_insensitive_names(void **state)
{
        struct box_config c;
        assert_int_equal(load("ci.box",
                              "[BOX]\ndirectory = /srv/a\n[exec]\nCOMMAND = /bin/true\n"
                              "[limits]\nmemorymax = 1g\n[MOUNT Data]\nsource=/a\ntarget=/b\n",
                              &c),
                         0);
        assert_string_equal(c.root, "/srv/a");
        assert_string_equal(c.argv[0], "/bin/true");
        assert_int_equal(c.limits.memory_max, 1ULL << 30);
        assert_string_equal(c.mounts[0].name, "data");
        box_config_free(&c);
}

static void test_line_1022_ok(void **state)
{
        struct box_config c;
        char line[1024];
        /* "Directory = /" + 'a'... to exactly 1022 bytes, the longest iniparser reads. */
        size_t pre = strlen("Directory = /");
        memcpy(line, "Directory = /", pre);
        memset(line + pre, 'a', 1022 - pre);
        line[1022] = 0;
        _cleanup_free_ char *text = xasprintf("[Box]\n%s\n", line);
        int r = load("long.box", text, &c);
        if (r)
                dump_log();
        assert_int_equal(r, 0);
        assert_int_equal(strlen(c.root), 1022 - strlen("Directory = "));
        box_config_free(&c);
}

static void test_mount_options_order(void **state)
{
        /* Options= before Type= in a [Mount]: tmpfs options must still be accepted. */
        struct box_config c;
        int r = load("o.box",
                     "[Mount t]\nOptions = size=1m,mode=0700,ro\nTarget = /t\nType = tmpfs\n", &c);
        if (r)
                dump_log();
        assert_int_equal(r, 0);
        assert_int_equal(c.mounts[0].type, BOX_MOUNT_TMPFS);
        assert_string_equal(c.mounts[0].data, "size=1m,mode=0700");
        assert_int_equal(c.mounts[0].flags, MS_RDONLY);
        box_config_free(&c);
}

static void test_mount_propagation_in_options(void **state)
{
        struct box_config c;
        assert_int_equal(load("p.box",
                              "[Mount a]\nSource=/a\nTarget=/a\nOptions=rw,rshared,noatime\n"
                              "[Mount b]\nSource=/b\nTarget=/b\nPropagation=private\n",
                              &c),
                         0);
        assert_int_equal(c.mounts[0].propagation, MS_SHARED | MS_REC);
        assert_int_equal(c.mounts[0].flags, MS_NOATIME);
        assert_int_equal(c.mounts[1].propagation, MS_PRIVATE);
        box_config_free(&c);
}

static void test_user_namespace_modes(void **state)
{
        struct box_config c;
        assert_int_equal(load("u.box", "[Namespaces]\nUser = pick\n", &c), 0);
        assert_int_equal(c.userns, BOX_USERNS_PICK);
        box_config_free(&c);
        assert_int_equal(load("u.box", "[Namespaces]\nUser = yes\n", &c), 0);
        assert_int_equal(c.userns, BOX_USERNS_PICK);
        box_config_free(&c);
        assert_int_equal(load("u.box", "[Namespaces]\nUser = no\n", &c), 0);
        assert_int_equal(c.userns, BOX_USERNS_NO);
        box_config_free(&c);
}

static void test_empty_file(void **state)
{
        struct box_config c;
        assert_int_equal(load("empty.box", "", &c), 0);
        assert_string_equal(c.name, "empty");
        assert_int_equal(box_config_validate(&c), -EINVAL);
        expect_logged("empty.box: ", "[Box] Directory: not set; the box needs a root directory");
        box_config_free(&c);
}

static void test_section_keys(void **state)
{
        const char *const *k = box_file_section_keys("exec");
        assert_non_null(k);
        assert_true(strv_contains((char *const *)k, "Command"));
        assert_true(strv_contains((char *const *)k, "LimitNOFILE"));
        assert_false(strv_contains((char *const *)k, "MemoryMax"));
        k = box_file_section_keys("Mount");
        assert_true(strv_contains((char *const *)k, "Target"));
        assert_null(box_file_section_keys("Nope"));
}

/* ---- box_file_show() prints .box syntax that loads back to the same config ---------------- */

static char *show_to_string(const struct box_config *c)
{
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        assert_non_null(m);
        box_file_show(c, m);
        fclose(m);
        return out;
}

static void check_round_trip(const char *name, const char *text)
{
        struct box_config a, b;
        int r = load(name, text, &a);
        if (r)
                dump_log();
        assert_int_equal(r, 0);
        assert_int_equal(box_config_validate(&a), 0);
        _cleanup_free_ char *first = show_to_string(&a);
        r = load(name, first, &b);
        if (r) {
                dump_log();
                print_message("--- shown:\n%s", first);
        }
        assert_int_equal(r, 0);
        assert_int_equal(box_config_validate(&b), 0);
        _cleanup_free_ char *second = show_to_string(&b);
        assert_string_equal(first, second);
        for (size_t i = 0; a.argv && a.argv[i]; i++)
                assert_string_equal(a.argv[i], b.argv[i]);
        for (size_t i = 0; a.env && a.env[i]; i++)
                assert_string_equal(a.env[i], b.env[i]);
        assert_string_equal(a.root, b.root);
        assert_int_equal(a.n_mounts, b.n_mounts);
        for (size_t i = 0; i < a.n_mounts; i++) {
                assert_int_equal(a.mounts[i].flags, b.mounts[i].flags);
                assert_int_equal(a.mounts[i].propagation, b.mounts[i].propagation);
                assert_int_equal(a.mounts[i].recursive, b.mounts[i].recursive);
                assert_int_equal(a.mounts[i].optional, b.mounts[i].optional);
                if (a.mounts[i].data)
                        assert_string_equal(a.mounts[i].data, b.mounts[i].data);
        }
        box_config_free(&a);
        box_config_free(&b);
}

static void test_show_round_trip_full(void **state)
{
        check_round_trip("/etc/boxlaunch/web.box", full_box);
}

static void test_show_round_trip_quoting(void **state)
{
        check_round_trip("q.box", "[Box]\n"
                                  "Directory = \"/srv/a#b;c\"\n"
                                  "[Exec]\n"
                                  "Command = \"'/bin/my prog' a#b it\\'s '' x;y\"\n"
                                  "Environment = \"A=1 'B=two words' C=x#y\"\n"
                                  "WorkingDirectory = \"/w;x\"\n"
                                  "Sysctl = \"net.core.x='a b'\"\n"
                                  "[Namespaces]\nNetwork = private\n"
                                  "[Security]\nSystemCallFilter = ~@mount kexec_load\n"
                                  "[Mount m]\nSource = \"/src#1\"\nTarget = /t\n"
                                  "Options = noatime,nosymfollow,bind\nPropagation = runbindable\n"
                                  "Optional = yes\n"
                                  "[Mount o]\nType = overlay\nTarget = /o\n"
                                  "LowerDirs = \"/l#1 '/l 2'\"\nUpperDir = /u\nWorkDir = /w\n");
}

static void test_show_round_trip_network(void **state)
{
        check_round_trip("n.box", "[Box]\nDirectory = /srv/n\n"
                                  "[Network]\nZone = lab\nAddress = 10.0.3.2/24 fd00:3::2/64\n"
                                  "Masquerade = no\nLocalhost = no\nResolvConf = bind-host\n"
                                  "MACVLAN = eth1\n"
                                  "[Port web]\nHostPort = 8080\nBoxPort = 80\n"
                                  "[Port dns]\nProtocol = udp\nHostAddress = 127.0.0.1\n"
                                  "HostPort = 5353\n");
}

/* ---- validation ---------------------------------------------------------------------------- */

static void expect_invalid(const char *text, const char *prefix, const char *needle)
{
        struct box_config c;
        int r = load("v.box", text, &c);
        if (r)
                dump_log();
        assert_int_equal(r, 0);
        assert_int_equal(box_config_validate(&c), -EINVAL);
        expect_n_errors(1);
        expect_logged(prefix, needle);
        box_config_free(&c);
}

static void test_validate_missing_directory(void **state)
{
        expect_invalid("[Exec]\nCommand = /bin/true\n",
                       "v.box: ", "[Box] Directory: not set; the box needs a root directory");
}

static void test_validate_net_sysctl(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Exec]\nSysctl = net.ipv4.ip_forward=1\n"
                       "[Namespaces]\nNetwork = host\n",
                       "v.box:4: ",
                       "[Exec] Sysctl: net.ipv4.ip_forward needs a private network "
                       "([Namespaces] Network); it would change the host");
        /* the same with Network=private is fine */
        struct box_config c;
        assert_int_equal(load("v.box",
                              "[Box]\nDirectory=/a\n[Exec]\nSysctl = net.ipv4.ip_forward=1\n"
                              "[Namespaces]\nNetwork = private\n",
                              &c),
                         0);
        assert_int_equal(box_config_validate(&c), 0);
        box_config_free(&c);
}

static void test_validate_boot_init(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Exec]\nBoot = yes\nInit = yes\n", "v.box:4: ",
                       "[Exec] Boot=yes runs the image's init as PID 1; it cannot be combined "
                       "with [Exec] Init=yes");
}

static void test_validate_duplicate_targets(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n"
                       "[Mount one]\nSource=/x\nTarget=/data\n"
                       "[Mount two]\nType=tmpfs\nTarget=/data\n",
                       "v.box:6: ", "[Mount two] mounts on /data like [Mount one]");
}

static void test_validate_duplicate_targets_slashes(void **state)
{
        /* "/data/" and "//data" are the same mount point as "/data". */
        expect_invalid("[Box]\nDirectory=/a\n"
                       "[Mount one]\nSource=/x\nTarget=/data\n"
                       "[Mount two]\nType=tmpfs\nTarget=//data/\n",
                       "v.box:6: ", "[Mount two] mounts on //data/ like [Mount one]");
        struct box_config c;
        assert_int_equal(load("v.box",
                              "[Box]\nDirectory=/a\n[Mount one]\nSource=/x\nTarget=/data\n"
                              "[Mount two]\nSource=/x\nTarget=/data2\n"
                              "[Mount three]\nSource=/x\nTarget=/dat\n",
                              &c),
                         0);
        assert_int_equal(box_config_validate(&c), 0);
        box_config_free(&c);
}

static void test_validate_swap_without_memory(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Limits]\nMemorySwapMax = 1G\n",
                       "v.box:4: ", "[Limits] MemorySwapMax: needs [Limits] MemoryMax as well");
}

static void test_validate_dotdot(void **state)
{
        expect_invalid("[Box]\nDirectory=/srv/../etc\n",
                       "v.box:2: ", "[Box] Directory=/srv/../etc must not contain '..'");
        expect_invalid("[Box]\nDirectory=/a\n[Mount m]\nSource=/x\nTarget=/a/../../etc\n",
                       "v.box:3: ", "[Mount m] Target=/a/../../etc must not contain '..'");
}

static void test_validate_root_mapping(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Namespaces]\nUser = 0:1000\n",
                       "v.box:4: ", "[Namespaces] User=0:1000 maps the host's root into the box");
}

static void test_validate_duplicate_devices(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n"
                       "[Device a]\nPath=/dev/x\nType=c\nNumber=1:3\n"
                       "[Device b]\nPath=/dev/x\nType=c\nNumber=1:5\n",
                       "v.box:7: ", "[Device b] uses the path /dev/x of [Device a]");
}

static void test_validate_ambient_boot(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Exec]\nBoot=yes\n[Capabilities]\nAmbient=cap_kill\n",
                       "v.box:6: ",
                       "[Capabilities] Ambient: ambient capabilities cannot be used with [Exec] "
                       "Boot=yes");
}

/* Messages from any layer name a field the .box way, with the line of its key, also for a
 * config read back from the state format (the describer is found again by its kind). */
static void test_field_origins(void **state)
{
        struct box_config c, back;
        char w[256];
        assert_int_equal(load("/b/o.box",
                              "[Box]\nDirectory=/a\n[Exec]\nLimitNOFILE=10\n"
                              "[Limits]\nMemoryMax=1G\n[Mount data]\nSource=/x\nTarget=/y\n",
                              &c),
                         0);
        assert_string_equal(
                box_config_where(&c, BOX_F_RLIMIT + RLIMIT_NOFILE, NULL, 0, w, sizeof(w)),
                "/b/o.box:4: [Exec] LimitNOFILE");
        assert_string_equal(box_config_where(&c, BOX_F_MOUNT_TARGET, "data",
                                             c.mounts[0].origin.line, w, sizeof(w)),
                            "/b/o.box:7: [Mount data] Target");
        /* A key not in the file: the file and the key, no line. */
        assert_string_equal(box_config_where(&c, BOX_F_MEMORY_HIGH, NULL, 0, w, sizeof(w)),
                            "/b/o.box: [Limits] MemoryHigh");

        _cleanup_free_ char *text = box_config_to_json_string(&c);
        box_config_init(&back);
        assert_int_equal(box_config_from_json_string(text, "state", &back), 0);
        assert_string_equal(box_config_where(&back, BOX_F_MEMORY_MAX, NULL, 0, w, sizeof(w)),
                            "/b/o.box:6: [Limits] MemoryMax");
        box_config_free(&back);
        box_config_free(&c);
}

static void test_validate_network(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Port web]\nHostPort=80\n", "v.box:3: ",
                       "[Port web]: a published port needs a virtual Ethernet link "
                       "([Network] VirtualEthernet=yes, Bridge= or Zone=)");
        expect_invalid("[Box]\nDirectory=/a\n[Namespaces]\nNetwork=host\n"
                       "[Network]\nVirtualEthernet=yes\n",
                       "v.box:4: ",
                       "[Namespaces] Network=host conflicts with the links of [Network] "
                       "VirtualEthernet");
        expect_invalid("[Box]\nDirectory=/a\n[Network]\nZone=z\nBridge=br0\n",
                       "v.box:4: ", "[Network] Zone cannot be combined with [Network] Bridge");
        expect_invalid("[Box]\nDirectory=/a\n[Network]\nVirtualEthernet=yes\n"
                       "[Port a]\nHostPort=80\n[Port b]\nHostPort=80\nBoxPort=81\n",
                       "v.box:7: ", "[Port b] publishes host port 80 like [Port a]");
        /* The defaults: a machine box gets a veth with NAT and its own network namespace; an
         * application box keeps its network; Zone= implies a veth. */
        struct box_config c;
        assert_int_equal(load("v.box", "[Box]\nDirectory=/a\n[Exec]\nBoot=yes\n", &c), 0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_true(box_config_veth(&c));
        assert_int_equal(c.netcfg.masquerade, BOX_YES);
        assert_int_equal(c.net, BOX_NET_PRIVATE);
        box_config_free(&c);
        assert_int_equal(load("v.box", "[Box]\nDirectory=/a\n", &c), 0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_false(box_config_veth(&c));
        assert_int_equal(c.netcfg.masquerade, BOX_NO);
        box_config_free(&c);
        assert_int_equal(load("v.box", "[Box]\nDirectory=/a\n[Network]\nZone=z\n", &c), 0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_true(box_config_veth(&c));
        assert_int_equal(c.net, BOX_NET_PRIVATE);
        box_config_free(&c);
}

static void test_network_namespace_path(void **state)
{
        expect_invalid("[Box]\nDirectory=/a\n[Network]\nNamespacePath=/run/netns/x\n"
                       "VirtualEthernet=yes\n",
                       "v.box:4: ",
                       "[Network] NamespacePath=/run/netns/x cannot be combined with [Network] "
                       "VirtualEthernet");
        struct box_config c;
        assert_int_equal(
                load("v.box", "[Box]\nDirectory=/a\n[Network]\nNamespacePath=/run/netns/x\n", &c),
                0);
        assert_int_equal(box_config_validate(&c), 0);
        assert_string_equal(c.ns_join[BOX_NS_NET], "/run/netns/x");
        assert_int_equal(c.net, BOX_NET_HOST); /* not cloned: joined */
        assert_false(box_config_veth(&c));
        box_config_free(&c);
        check_round_trip("j.box",
                         "[Box]\nDirectory = /srv/j\n[Network]\nNamespacePath = /run/netns/x\n");
}

static void test_validate_reports_all(void **state)
{
        struct box_config c;
        assert_int_equal(load("v.box",
                              "[Exec]\nBoot=yes\nInit=yes\nSysctl=net.core.somaxconn=10\n"
                              "[Limits]\nMemorySwapMax=1G\n[Namespaces]\nNetwork=host\n",
                              &c),
                         0);
        assert_int_equal(box_config_validate(&c), -EINVAL);
        expect_n_errors(4);
        assert_null(c.hostname); /* defaults are filled only on success */
        box_config_free(&c);
}

/* ---- malformed files ----------------------------------------------------------------------- */

struct bad_case {
        const char *name;
        const char *text;
        size_t len; /* 0 = strlen(text) */
        unsigned line;
        const char *needle;
};

/* Every case yields exactly one error line "t.box:LINE: ..." containing needle. */
static const struct bad_case bad_cases[] = {
        {"zone_too_long", "[Network]\nZone = abcdefghijklm\n", 0, 2,
         "'abcdefghijklm' is not a zone name: at most 12 bytes"},
        {"bad_ifname", "[Network]\nInterface = eth0 a/b\n", 0, 2, "'a/b' is not an interface name"},
        {"bad_address", "[Network]\nAddress = 10.0.0.2\n", 0, 2,
         "'10.0.0.2' is not ADDRESS/PREFIXLENGTH"},
        {"two_v4_addresses", "[Network]\nAddress = 10.0.0.2/24 10.0.1.2/24\n", 0, 2,
         "at most one IPv4 and one IPv6 address"},
        {"bad_port", "[Port web]\nHostPort = 65536\n", 0, 2,
         "'65536' is not a port number (1 to 65535)"},
        {"port_without_host_port", "[Port web]\nBoxPort = 80\n", 0, 1,
         "[Port web] needs HostPort="},
        {"bad_protocol", "[Port web]\nHostPort = 80\nProtocol = sctp\n", 0, 3,
         "'sctp' is not a protocol (tcp, udp)"},
        {"bad_resolv_conf", "[Network]\nResolvConf = copy-host\n", 0, 2,
         "'copy-host' is not a resolv.conf mode"},
        {"repeated_key", "[Box]\nDirectory = /a\nDirectory = /b\n", 0, 3,
         "key 'Directory' repeated in [Box] (first at line 2)"},
        {"repeated_key_other_case", "[Box]\nDirectory = /a\nName = x\ndirectory = /b\n", 0, 4,
         "key 'directory' repeated in [Box] (first at line 2)"},
        {"repeated_section", "[Box]\nDirectory = /a\n[Exec]\nCommand = /x\n[Box]\nName = b\n", 0, 5,
         "section [Box] repeated (first at line 1)"},
        {"repeated_section_case", "[Box]\nDirectory = /a\n\n[box]\nName = b\n", 0, 4,
         "section [box] repeated (first at line 1)"},
        {"repeated_mount_label", "[Mount data]\nSource=/a\nTarget=/b\n[mount DATA]\nOptional=1\n",
         0, 4, "section [mount DATA] repeated (first at line 1)"},
        {"unknown_section_did_you_mean", "[Box]\nDirectory = /a\n[Exce]\nCommand = /bin/sh\n", 0, 3,
         "unknown section [Exce]; did you mean [Exec]?"},
        {"unknown_section_no_suggestion", "[Frobnicate]\n", 0, 1, "unknown section [Frobnicate]"},
        {"unknown_labelled_did_you_mean", "[Mout data]\n", 0, 1,
         "unknown section [Mout data]; did you mean [Mount data]?"},
        {"unknown_key_did_you_mean", "[Exec]\nComand = /bin/sh\n", 0, 2,
         "unknown key 'Comand' in [Exec]; did you mean 'Command'?"},
        {"unknown_key_no_suggestion", "[Box]\nXyzzyQuux = 1\n", 0, 2,
         "unknown key 'XyzzyQuux' in [Box]"},
        {"key_of_other_section", "[Exec]\nMemoryMax = 1G\n", 0, 2,
         "unknown key 'MemoryMax' in [Exec]; it belongs in [Limits]"},
        {"key_of_other_section_mount", "[Box]\nTarget = /x\n", 0, 2,
         "unknown key 'Target' in [Box]; it belongs in [Mount]"},
        {"empty_section", "[Box]\nDirectory = /a\n[]\n", 0, 3, "empty section name '[]'"},
        {"blank_section", "[  ]\n", 0, 1, "empty section name '[]'"},
        {"colon_section", "[Mount:data]\nTarget = /x\n", 0, 1,
         "section name [Mount:data] contains ':'"},
        {"mount_without_name", "[Mount]\nTarget = /x\n", 0, 1,
         "section [Mount] needs a name: [Mount NAME]"},
        {"hook_without_name", "[hook]\n", 0, 1, "section [hook] needs a name: [Hook NAME]"},
        {"singleton_with_name", "[Exec foo]\nCommand = /x\n", 0, 1,
         "unknown section [Exec foo] (only Mount, Device, Hook and Port sections take a name)"},
        {"bad_label_chars", "[Mount a/b]\n", 0, 1,
         "bad name 'a/b' in [Mount a/b]: use letters, digits"},
        {"bad_label_quotes", "[Mount \"data\"]\n", 0, 1, "bad name '\"data\"' in [Mount"},
        {"bad_label_too_long",
         "[Device aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", 0, 1,
         "at most 64 characters"},
        {"key_before_section", "Directory = /a\n[Box]\n", 0, 1,
         "key 'Directory' appears before any section"},
        {"glued_hash", "[Box]\nDirectory = /srv/a#b\n", 0, 2,
         "Directory: '#' inside an unquoted value starts a comment and cuts the value to "
         "'/srv/a'"},
        {"glued_semicolon", "[Exec]\nCommand = /bin/sh -c \"a; b\"\n", 0, 2,
         "';' inside an unquoted value starts a comment and cuts the value to '/bin/sh -c \"a'"},
        {"text_after_quote", "[Exec]\nCommand = \"/bin/sh\" -c x\n", 0, 2,
         "Command: text after the closing quote would be dropped: '-c x'"},
        {"hash_after_quote", "[Box]\nDirectory = \"/a\"#c\n", 0, 2,
         "'#' right after the closing quote; put a space before a comment"},
        {"unterminated_double_quote", "[Exec]\nCommand = \"/bin/sh -c x\n", 0, 2,
         "Command: unterminated double quote"},
        {"unterminated_single_quote", "[Box]\nDirectory = '/a\n", 0, 2,
         "Directory: unterminated single quote"},
        {"continuation_at_eof", "[Box]\nDirectory = /a \\", 0, 2,
         "line ends with '\\' but the file ends there"},
        {"continuation_at_eof_newline", "[Box]\nName = a\nDirectory = /a \\\n", 0, 3,
         "line ends with '\\' but the file ends there"},
        {"syntax_error_no_equals", "[Box]\nDirectory /a\n", 0, 2,
         "syntax error: 'Directory /a' is neither a section, a KEY=VALUE pair nor a comment"},
        {"value_without_key", "[Box]\n = /a\n", 0, 2, "syntax error: value without a key"},
        {"section_header_comment", "[Box] # main\nDirectory = /a\n", 0, 1,
         "a section header must end with ']' and carry no comment"},
        {"section_header_unclosed", "[Box\n", 0, 1, "syntax error: '[Box'"},
        {"nul_byte", "[Box]\nDirectory = /a\0b\n", 22, 2, "NUL byte in line"},
        {"bad_boolean", "[Box]\nReadOnly = maybe\n", 0, 2,
         "[Box] ReadOnly: 'maybe' is not a boolean (yes/no, true/false, on/off, 1/0)"},
        {"bad_tristate", "[Exec]\nNoNewPrivileges = yess\n", 0, 2,
         "[Exec] NoNewPrivileges: 'yess' is not a boolean"},
        {"bad_size", "[Limits]\nMemoryMax = 12abc\n", 0, 2,
         "[Limits] MemoryMax: '12abc' is not a size"},
        {"bad_size_kb", "[Limits]\nMemoryHigh = 1KB\n", 0, 2,
         "[Limits] MemoryHigh: '1KB' is not a size"},
        {"size_too_large", "[Limits]\nMemoryMax = 99999999999T\n", 0, 2,
         "[Limits] MemoryMax: '99999999999T' is too large"},
        {"bad_timespan", "[Exec]\nStopTimeout = 1min 30\n", 0, 2,
         "[Exec] StopTimeout: '1min 30' is not a time span"},
        {"bad_timespan_garbage", "[Hook h]\nStage=prestart\nCommand=/x\nTimeout = soon\n", 0, 4,
         "[Hook h] Timeout: 'soon' is not a time span"},
        {"cpu_period_out_of_range", "[Limits]\nCPUQuotaPeriodSec = 2s\n", 0, 2,
         "'2s' is outside 1ms..1s"},
        {"bad_percent", "[Limits]\nCPUQuota = 150\n", 0, 2,
         "[Limits] CPUQuota: '150' is not a percentage of one CPU"},
        {"zero_percent", "[Limits]\nCPUQuota = 0%\n", 0, 2, "'0%' is not a percentage"},
        {"weight_zero", "[Limits]\nCPUWeight = 0\n", 0, 2,
         "[Limits] CPUWeight: '0' is not a weight from 1 to 10000"},
        {"weight_too_big", "[Limits]\nIOWeight = 10001\n", 0, 2,
         "[Limits] IOWeight: '10001' is not a weight from 1 to 10000"},
        {"bad_tasks", "[Limits]\nTasksMax = 0\n", 0, 2, "'0' is not a task count"},
        {"bad_cpu_list", "[Limits]\nAllowedCPUs = 3-1\n", 0, 2, "'3-1' is not a CPU list"},
        {"bad_node_list", "[Limits]\nAllowedMemoryNodes = x\n", 0, 2, "'x' is not a node list"},
        {"bad_cgroup_parent", "[Limits]\nParent = a/../b\n", 0, 2, "'a/../b' is not a cgroup path"},
        {"io_not_block_device", "[Limits]\nIOReadBandwidthMax = /dev/null=10M\n", 0, 2,
         "'/dev/null' is not a block device"},
        {"io_bad_rate", "[Limits]\nIOWriteIOPSMax = /dev/sda=0\n", 0, 2,
         "'0' is not a positive number of operations"},
        {"bad_id_range", "[Namespaces]\nUser = 100000\n", 0, 2,
         "[Namespaces] User: '100000' is not no, pick or BASE:COUNT"},
        {"bad_id_range_zero_count", "[Namespaces]\nUser = 100000:0\n", 0, 2,
         "'100000:0' is not no, pick or BASE:COUNT"},
        {"bad_network", "[Namespaces]\nNetwork = bridge\n", 0, 2,
         "[Namespaces] Network: 'bridge' is not a network mode (host, private)"},
        {"relative_mount_target", "[Mount m]\nSource = /x\nTarget = data\n", 0, 3,
         "[Mount m] Target: 'data' is not an absolute path"},
        {"mount_target_root", "[Mount m]\nSource = /x\nTarget = /\n", 0, 3,
         "[Mount m] Target: cannot mount over the box's root"},
        {"relative_mount_source", "[Mount m]\nSource = x\nTarget = /x\n", 0, 2,
         "[Mount m] Source: 'x' is not an absolute path"},
        {"bind_without_source", "[Box]\nDirectory=/a\n[Mount m]\nTarget = /x\n", 0, 3,
         "[Mount m] needs Source="},
        {"mount_without_target", "[Mount m]\nSource = /x\n", 0, 1, "[Mount m] needs Target="},
        {"tmpfs_with_source", "[Mount m]\nType = tmpfs\nSource = /x\nTarget = /t\n", 0, 1,
         "[Mount m] needs no Source= (only bind mounts take one)"},
        {"overlay_without_lower", "[Mount m]\nType = overlay\nTarget = /t\n", 0, 1,
         "[Mount m] needs LowerDirs="},
        {"overlay_upper_without_work",
         "[Mount m]\nType = overlay\nTarget = /t\nLowerDirs = /l\nUpperDir = /u\n", 0, 1,
         "[Mount m] needs both UpperDir= and WorkDir= (or neither)"},
        {"overlay_bad_lower", "[Mount m]\nType = overlay\nTarget = /t\nLowerDirs = /a:/b\n", 0, 4,
         "'/a:/b' is not an absolute path without ':' or ','"},
        {"bad_mount_type", "[Mount m]\nType = nfs\nTarget = /t\n", 0, 2,
         "[Mount m] Type: 'nfs' is not a mount type (bind, tmpfs, overlay)"},
        {"unknown_mount_option", "[Mount m]\nSource=/a\nTarget=/b\nOptions = ro,bogus\n", 0, 4,
         "[Mount m] Options: unknown or unsupported mount option 'bogus'"},
        {"user_mount_option", "[Mount m]\nSource=/a\nTarget=/b\nOptions = user\n", 0, 4,
         "unknown or unsupported mount option 'user'"},
        {"tmpfs_option_on_bind", "[Mount m]\nSource=/a\nTarget=/b\nOptions = size=1m\n", 0, 4,
         "unknown or unsupported mount option 'size=1m' for this mount type"},
        {"bad_propagation", "[Mount m]\nSource=/a\nTarget=/b\nPropagation = sideways\n", 0, 4,
         "[Mount m] Propagation: 'sideways' is not a propagation mode"},
        {"bad_optional", "[Mount m]\nSource=/a\nTarget=/b\nOptional = perhaps\n", 0, 4,
         "'perhaps' is not a boolean"},
        {"bad_device_path", "[Device d]\nPath = /etc/shadow\nType = c\nNumber = 1:3\n", 0, 2,
         "[Device d] Path: '/etc/shadow' is not a path under /dev/"},
        {"device_path_dotdot", "[Device d]\nPath = /dev/../etc/x\nType = c\nNumber = 1:3\n", 0, 2,
         "'/dev/../etc/x' is not a path under /dev/"},
        {"bad_device_type", "[Device d]\nPath = /dev/x\nType = pipe\nNumber = 1:3\n", 0, 3,
         "[Device d] Type: 'pipe' is not a device type (char, block)"},
        {"bad_device_number", "[Device d]\nPath = /dev/x\nType = c\nNumber = 13\n", 0, 4,
         "[Device d] Number: '13' is not MAJOR:MINOR (e.g. 10:229)"},
        {"device_number_range", "[Device d]\nPath = /dev/x\nType = c\nNumber = 4096:1\n", 0, 4,
         "'4096:1' is not MAJOR:MINOR within the kernel's ranges"},
        {"bad_device_access", "[Device d]\nPath = /dev/x\nType = c\nNumber = 1:3\nAccess = rwx\n",
         0, 5, "[Device d] Access: 'rwx' is not an access string of r, w and m"},
        {"bad_device_mode", "[Device d]\nPath = /dev/x\nType = c\nNumber = 1:3\nMode = 4755\n", 0,
         5, "'4755' is not an octal mode up to 0777"},
        {"device_incomplete", "[Device d]\nPath = /dev/x\n", 0, 1,
         "[Device d] needs Path=, Type= and Number="},
        {"hook_without_stage", "[Box]\nDirectory=/a\n[Hook h]\nCommand = /bin/true\n", 0, 3,
         "[Hook h] needs Stage= and Command="},
        {"hook_without_command", "[Hook h]\nStage = prestart\n", 0, 1,
         "[Hook h] needs Stage= and Command="},
        {"hook_relative_command", "[Hook h]\nStage = prestart\nCommand = hook.sh --x\n", 0, 3,
         "[Hook h] Command: 'hook.sh' must be an absolute path"},
        {"bad_hook_stage", "[Hook h]\nStage = never\nCommand = /x\n", 0, 2,
         "[Hook h] Stage: 'never' is not a hook stage"},
        {"hook_bad_env", "[Hook h]\nStage=prestart\nCommand=/x\nEnvironment = A\n", 0, 4,
         "'A' is not NAME=VALUE"},
        {"env_without_equals", "[Exec]\nEnvironment = A=1 FOO\n", 0, 2,
         "[Exec] Environment: 'FOO' is not NAME=VALUE with a valid variable name"},
        {"env_bad_name", "[Exec]\nEnvironment = 1A=b\n", 0, 2,
         "'1A=b' is not NAME=VALUE with a valid variable name"},
        {"env_bad_name_dash", "[Exec]\nEnvironment = A-B=c\n", 0, 2, "'A-B=c' is not NAME=VALUE"},
        {"env_empty_name", "[Exec]\nEnvironment = =x\n", 0, 2, "'=x' is not NAME=VALUE"},
        {"env_unterminated_quote", "[Exec]\nEnvironment = A=1 B='x\n", 0, 2,
         "unterminated single quote in 'A=1 B='x'"},
        {"command_unterminated_inner_quote", "[Exec]\nCommand = /bin/sh -c 'echo\n", 0, 2,
         "[Exec] Command: unterminated single quote in '/bin/sh -c 'echo'"},
        {"empty_command", "[Exec]\nCommand =\n", 0, 2, "[Exec] Command: empty command"},
        {"sysctl_not_namespaced", "[Exec]\nSysctl = kernel.panic=1\n", 0, 2,
         "sysctl 'kernel.panic' is not namespaced and would change the host"},
        {"sysctl_not_kv", "[Exec]\nSysctl = net.ipv4.ip_forward\n", 0, 2,
         "'net.ipv4.ip_forward' is not KEY=VALUE"},
        {"sysctl_slash", "[Exec]\nSysctl = net/ipv4/ip_forward=1\n", 0, 2,
         "'net/ipv4/ip_forward=1' is not KEY=VALUE"},
        {"bad_console", "[Exec]\nConsole = tty\n", 0, 2,
         "[Exec] Console: 'tty' is not a console mode"},
        {"bad_oom_score", "[Exec]\nOOMScoreAdjust = 1001\n", 0, 2,
         "[Exec] OOMScoreAdjust: '1001' is not an integer from -1000 to 1000"},
        {"bad_oom_score_hex", "[Exec]\nOOMScoreAdjust = 0x10\n", 0, 2,
         "'0x10' is not an integer from -1000 to 1000"},
        {"rlimit_soft_above_hard", "[Exec]\nLimitNOFILE = 4096:1024\n", 0, 2,
         "[Exec] LimitNOFILE: soft limit above hard limit in '4096:1024'"},
        {"rlimit_garbage", "[Exec]\nLimitNPROC = lots\n", 0, 2,
         "'lots' is not a limit (N, SOFT:HARD or infinity)"},
        {"bad_personality", "[Exec]\nPersonality = arm\n", 0, 2, "'arm' is not a personality"},
        {"bad_cpu_affinity", "[Exec]\nCPUAffinity = all\n", 0, 2, "'all' is not a CPU list"},
        {"relative_working_directory", "[Exec]\nWorkingDirectory = srv\n", 0, 2,
         "[Exec] WorkingDirectory: 'srv' is not an absolute path"},
        {"bad_user", "[Exec]\nUser = a b\n", 0, 2, "'a b' is not a user name or number"},
        {"bad_supplementary_group", "[Exec]\nSupplementaryGroups = adm,x/y\n", 0, 2,
         "'x/y' is not a group name or number"},
        {"bad_hostname", "[Box]\nHostname = web_1\n", 0, 2,
         "[Box] Hostname: 'web_1' is not a valid hostname (letters, digits, '-', '.')"},
        {"hostname_too_long",
         "[Box]\nHostname = "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
         0, 2, "is not a valid hostname (1 to 64 characters)"},
        {"bad_box_name", "[Box]\nName = .hidden\n", 0, 2,
         "[Box] Name: '.hidden' is not a valid box name"},
        {"bad_errno", "[Security]\nSystemCallErrorNumber = 5000\n", 0, 2,
         "'5000' is not an errno name"},
        {"mask_paths_relative", "[Security]\nMaskPaths = /proc/kcore proc/x\n", 0, 2,
         "'proc/x' is not an absolute path without '..'"},
        {"mask_paths_trailing_dotdot", "[Security]\nReadOnlyPaths = /proc/..\n", 0, 2,
         "'/proc/..' is not an absolute path without '..'"},
        {"device_path_trailing_dotdot", "[Device d]\nPath = /dev/x/..\nType = c\nNumber = 1:3\n", 0,
         2, "'/dev/x/..' is not a path under /dev/"},
        {"device_path_dot", "[Device d]\nPath = /dev/./x\nType = c\nNumber = 1:3\n", 0, 2,
         "'/dev/./x' is not a path under /dev/"},
        {"repeated_mount_label_spacing",
         "[Mount data]\nSource=/a\nTarget=/b\n[Mount   data]\nSource=/c\nTarget=/d\n", 0, 4,
         "[Mount data] repeated (first at line 1)"},
        {"repeated_hook_label_case", "[Hook A]\nStage=prestart\nCommand=/x\n[Hook\ta]\n", 0, 4,
         "[Hook a] repeated (first at line 1)"},
        {"sysctl_empty_component", "[Exec]\nSysctl = net.=1\n", 0, 2, "'net.=1' is not KEY=VALUE"},
        {"section_header_comment_then_keys", "[Exec] ; x\nCommand = /a\nUser = b\n", 0, 1,
         "syntax error: '[Exec] ; x'"},
        {"bad_seccomp_bool", "[Security]\nSeccomp = strict\n", 0, 2,
         "[Security] Seccomp: 'strict' is not a boolean"},
};

static void run_bad_case(void **state)
{
        const struct bad_case *bc = *state;
        struct box_config c;
        size_t len = bc->len ? bc->len : strlen(bc->text);
        char prefix[64];

        int r = load_n("t.box", bc->text, len, &c);
        if (r != -EINVAL)
                dump_log();
        assert_int_equal(r, -EINVAL);
        snprintf(prefix, sizeof(prefix), "t.box:%u: ", bc->line);
        expect_n_errors(1);
        expect_logged(prefix, bc->needle);
        box_config_free(&c);
        box_config_free(&c); /* freeing twice (it re-zeroes) must be safe too */
}

/* Long lines: 1023 bytes is one too many for iniparser's buffer. */
static void test_line_1023(void **state)
{
        struct box_config c;
        char line[1024];
        size_t pre = strlen("Directory = /");
        memcpy(line, "Directory = /", pre);
        memset(line + pre, 'a', 1023 - pre);
        line[1023] = 0;
        _cleanup_free_ char *text = xasprintf("[Box]\n%s\n", line);
        assert_int_equal(load("t.box", text, &c), -EINVAL);
        expect_n_errors(1);
        expect_logged("t.box:2: ", "line is 1023 bytes long; at most 1022 are allowed");
        box_config_free(&c);

        /* The same length reached by joining continuation lines. */
        _cleanup_free_ char *half = xmalloc(600);
        memset(half, 'b', 599);
        half[599] = 0;
        _cleanup_free_ char *text2 = xasprintf("[Box]\nDirectory = /%s\\\n%s\n", half, half);
        assert_int_equal(load("t.box", text2, &c), -EINVAL);
        expect_n_errors(1);
        expect_logged("t.box:2: ", "continued line is longer than 1022 bytes");
        box_config_free(&c);

        /* Trailing blanks of a continuation count: iniparser reads them before stripping. */
        _cleanup_free_ char *a = xmalloc(991);
        memset(a, 'a', 990);
        a[990] = 0;
        _cleanup_free_ char *text3 = xasprintf("[Box]\nDirectory = /%s \\\nx%40s\n", a, "");
        assert_int_equal(load("t.box", text3, &c), -EINVAL);
        expect_n_errors(1);
        expect_logged("t.box:2: ", "continued line is longer than 1022 bytes");
        box_config_free(&c);
        /* ... and the same without the blanks fits. */
        _cleanup_free_ char *text4 = xasprintf("[Box]\nDirectory = /%s \\\nx\n", a);
        assert_int_equal(load("t.box", text4, &c), 0);
        box_config_free(&c);
}

static void test_bad_file_name(void **state)
{
        struct box_config c;
        assert_int_equal(load("/etc/boxes/my box.box", "[Box]\nDirectory=/a\n", &c), -EINVAL);
        expect_n_errors(1);
        expect_logged("/etc/boxes/my box.box: ", "the file name does not make a valid box name");
        box_config_free(&c);
        /* Name= makes it fine. */
        assert_int_equal(load("/etc/boxes/my box.box", "[Box]\nName=ok\nDirectory=/a\n", &c), 0);
        box_config_free(&c);
}

static void test_many_scan_errors(void **state)
{
        /* Pre-scan problems are all reported, each with its own line. */
        struct box_config c;
        assert_int_equal(load("m.box",
                              "Name = early\n"            /* 1: before any section */
                              "[Box]\n"                   /* 2 */
                              "Directory = /a#b\n"        /* 3: glued # */
                              "Directory = /c\n"          /* 4: repeated */
                              "junk line\n"               /* 5: syntax */
                              "[]\n"                      /* 6: empty section */
                              "[Exce]\n"                  /* 7: unknown section */
                              "[Mount:x]\n"               /* 8: colon */
                              "[box]\n"                   /* 9: repeated section */
                              "Command = \"/bin/sh\" x\n" /* 10: text after quote */
                              "Hostname = \"abc\n",       /* 11: unterminated */
                              &c),
                         -EINVAL);
        expect_n_errors(10);
        expect_logged("m.box:1: ", "before any section");
        expect_logged("m.box:3: ", "cuts the value");
        expect_logged("m.box:4: ", "repeated");
        expect_logged("m.box:5: ", "syntax error");
        expect_logged("m.box:6: ", "empty section");
        expect_logged("m.box:7: ", "did you mean [Exec]");
        expect_logged("m.box:8: ", "contains ':'");
        expect_logged("m.box:9: ", "repeated");
        expect_logged("m.box:10: ", "text after the closing quote");
        expect_logged("m.box:11: ", "unterminated double quote");
        box_config_free(&c);
}

static void test_many_key_errors(void **state)
{
        struct box_config c;
        assert_int_equal(load("k.box",
                              "[Box]\nDirectry = /a\n"             /* 2 */
                              "[Exec]\nMemoryMax = 1G\nComand=x\n" /* 4, 5 */
                              "[Mount m]\nSorce = /a\n",           /* 7 */
                              &c),
                         -EINVAL);
        expect_n_errors(4);
        expect_logged("k.box:2: ", "did you mean 'Directory'?");
        expect_logged("k.box:4: ", "belongs in [Limits]");
        expect_logged("k.box:5: ", "did you mean 'Command'?");
        expect_logged("k.box:7: ", "did you mean 'Source'?");
        box_config_free(&c);
}

static void test_many_value_errors(void **state)
{
        /* Value problems are all reported too, and leave nothing behind. */
        struct box_config c;
        assert_int_equal(load("val.box",
                              "[Box]\n"
                              "Directory = /a\n"
                              "ReadOnly = maybe\n" /* 3 */
                              "[Exec]\n"
                              "Command = /bin/sh -c 'x\n" /* 5 */
                              "Environment = A=1 2B=3\n"  /* 6 */
                              "Sysctl = kernel.panic=1\n" /* 7 */
                              "LimitNOFILE = 10:5\n"      /* 8 */
                              "[Limits]\n"
                              "MemoryMax = 1KB\n" /* 10 */
                              "CPUWeight = 0\n"   /* 11 */
                              "[Mount m]\n"
                              "Target = rel\n"    /* 13 */
                              "Options = bogus\n" /* 14 */
                              "[Hook h]\n"
                              "Stage = later\n"       /* 16 */
                              "Command = rel/hook\n", /* 17 */
                              &c),
                         -EINVAL);
        expect_n_errors(11);
        static const unsigned expect_lines[] = {3, 5, 6, 7, 8, 10, 11, 13, 14, 16, 17};
        for (size_t i = 0; i < ARRAY_SIZE(expect_lines); i++) {
                char prefix[32];
                snprintf(prefix, sizeof(prefix), "val.box:%u: ", expect_lines[i]);
                expect_logged(prefix, "");
        }
        box_config_free(&c);
}

/* Loads every malformed case repeatedly and checks the heap did not grow: a failed load
 * followed by box_config_free() must release everything. */
static void test_bad_cases_free_everything(void **state)
{
        struct box_config c;
        /* Warm up lazily allocated library state (libmount's option maps, stdio, ...). */
        for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
                const struct bad_case *bc = &bad_cases[i];
                load_n("t.box", bc->text, bc->len ? bc->len : strlen(bc->text), &c);
                box_config_free(&c);
        }
        assert_int_equal(load("/etc/boxlaunch/web.box", full_box, &c), 0);
        box_config_free(&c);
        reset_log();

        struct mallinfo2 before = mallinfo2();
        for (int round = 0; round < 3; round++) {
                for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
                        const struct bad_case *bc = &bad_cases[i];
                        load_n("t.box", bc->text, bc->len ? bc->len : strlen(bc->text), &c);
                        box_config_free(&c);
                }
                load("/etc/boxlaunch/web.box", full_box, &c);
                box_config_validate(&c);
                box_config_free(&c);
        }
        reset_log();
        struct mallinfo2 after = mallinfo2();
        if (after.uordblks != before.uordblks)
                print_message("heap in use: %zu before, %zu after\n", before.uordblks,
                              after.uordblks);
        assert_int_equal(after.uordblks, before.uordblks);
}

int main(int argc, char **argv)
{
        /* glibc's tcache keeps freed chunks counted as "in use" by mallinfo2(); re-run once
         * without it so that test_bad_cases_free_everything can compare the heap exactly. */
        if (!getenv("BOX_TEST_NO_TCACHE")) {
                setenv("BOX_TEST_NO_TCACHE", "1", 1);
                setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
                execv("/proc/self/exe", argv);
        }

        const struct CMUnitTest good[] = {
                cmocka_unit_test(test_full_file),
                cmocka_unit_test(test_minimal_defaults),
                cmocka_unit_test(test_name_override),
                cmocka_unit_test(test_relative_directory),
                cmocka_unit_test(test_quoted_values),
                cmocka_unit_test(test_crlf_and_continuations),
                cmocka_unit_test(test_case_insensitive_names),
                cmocka_unit_test(test_line_1022_ok),
                cmocka_unit_test(test_mount_options_order),
                cmocka_unit_test(test_mount_propagation_in_options),
                cmocka_unit_test(test_user_namespace_modes),
                cmocka_unit_test(test_empty_file),
                cmocka_unit_test(test_section_keys),
                cmocka_unit_test(test_show_round_trip_full),
                cmocka_unit_test(test_show_round_trip_quoting),
                cmocka_unit_test(test_validate_missing_directory),
                cmocka_unit_test(test_validate_net_sysctl),
                cmocka_unit_test(test_validate_boot_init),
                cmocka_unit_test(test_validate_duplicate_targets),
                cmocka_unit_test(test_validate_duplicate_targets_slashes),
                cmocka_unit_test(test_validate_swap_without_memory),
                cmocka_unit_test(test_validate_dotdot),
                cmocka_unit_test(test_validate_root_mapping),
                cmocka_unit_test(test_validate_duplicate_devices),
                cmocka_unit_test(test_validate_ambient_boot),
                cmocka_unit_test(test_field_origins),
                cmocka_unit_test(test_validate_reports_all),
                cmocka_unit_test(test_validate_network),
                cmocka_unit_test(test_network_namespace_path),
                cmocka_unit_test(test_show_round_trip_network),
                cmocka_unit_test(test_line_1023),
                cmocka_unit_test(test_bad_file_name),
                cmocka_unit_test(test_many_scan_errors),
                cmocka_unit_test(test_many_key_errors),
                cmocka_unit_test(test_many_value_errors),
                cmocka_unit_test(test_bad_cases_free_everything),
        };
        int failed = cmocka_run_group_tests_name("box_file", good, setup, teardown);

        /* One named test per malformed file. */
        size_t n = ARRAY_SIZE(bad_cases);
        struct CMUnitTest *bad = xcalloc(n, sizeof(*bad));
        for (size_t i = 0; i < n; i++)
                bad[i] = (struct CMUnitTest){.name = bad_cases[i].name,
                                             .test_func = run_bad_case,
                                             .initial_state = (void *)&bad_cases[i]};
        failed += _cmocka_run_group_tests("box_file_malformed", bad, n, setup, teardown);
        free(bad);
        return failed ? 1 : 0;
}
