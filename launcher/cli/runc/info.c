/* info.c - what needs no container: features (runtime-spec features.md), spec (a template
 * config.json), and checkpoint/restore, which boxlaunch does not do (podman asks
 * `checkpoint --help` and takes a non-zero exit as "not supported"). */
#include "cli/runc/runc.h"

#include "util/capnames.h"
#include "util/log.h"

#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

/* n names of `width` bytes each from v: the lists below are arrays of arrays, which need no
 * relocation at start (README "Performance"). */
static struct json_object *strings(const char *v, size_t width, size_t n)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(a, json_object_new_string(v + i * width));
        return a;
}

#define STRINGS(v) strings(&(v)[0][0], sizeof((v)[0]), ARRAY_SIZE(v))

static struct json_object *capabilities(void)
{
        struct json_object *a = json_object_new_array();
        _cleanup_free_ char *all = caps_to_string(caps_all());
        char *save = NULL;
        for (char *w = strtok_r(all, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                for (char *p = w; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                json_object_array_add(a, json_object_new_string(w));
        }
        return a;
}

static struct json_object *boolean_obj(const char *key, bool v)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, key, json_object_new_boolean(v));
        return o;
}

/* Long: the features document (features.md) written out field by field. */
int runc_features(const struct runc_globals *g, int argc, char **argv)
{
        static const char hooks[][16] = {"prestart",       "createRuntime", "createContainer",
                                         "startContainer", "poststart",     "poststop"};
        static const char mount_options[][15] = {"async",
                                                 "atime",
                                                 "bind",
                                                 "defaults",
                                                 "dev",
                                                 "diratime",
                                                 "dirsync",
                                                 "exec",
                                                 "iversion",
                                                 "lazytime",
                                                 "loud",
                                                 "mand",
                                                 "noatime",
                                                 "nodev",
                                                 "nodiratime",
                                                 "noexec",
                                                 "noiversion",
                                                 "nolazytime",
                                                 "nomand",
                                                 "norelatime",
                                                 "nostrictatime",
                                                 "nosuid",
                                                 "nosymfollow",
                                                 "private",
                                                 "ratime",
                                                 "rbind",
                                                 "rdev",
                                                 "rdiratime",
                                                 "relatime",
                                                 "remount",
                                                 "rexec",
                                                 "rnoatime",
                                                 "rnodev",
                                                 "rnodiratime",
                                                 "rnoexec",
                                                 "rnorelatime",
                                                 "rnostrictatime",
                                                 "rnosuid",
                                                 "rnosymfollow",
                                                 "ro",
                                                 "rprivate",
                                                 "rrelatime",
                                                 "rro",
                                                 "rrw",
                                                 "rshared",
                                                 "rslave",
                                                 "rstrictatime",
                                                 "rsuid",
                                                 "rsymfollow",
                                                 "runbindable",
                                                 "rw",
                                                 "shared",
                                                 "silent",
                                                 "slave",
                                                 "strictatime",
                                                 "suid",
                                                 "symfollow",
                                                 "sync",
                                                 "tmpcopyup",
                                                 "unbindable",
                                                 "idmap",
                                                 "ridmap"};
        static const char namespaces[][8] = {"cgroup", "ipc",  "mount", "network",
                                             "pid",    "time", "user",  "uts"};
        static const char actions[][22] = {
                "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
                "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                "SCMP_ACT_NOTIFY",       "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP"};
        static const char operators[][19] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                             "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                             "SCMP_CMP_NE"};
        static const char archs[][17] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32"};
        static const char flags[][39] = {"SECCOMP_FILTER_FLAG_LOG",
                                         "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                         "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
        if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
                printf("Usage: %s features\n\nPrints what the runtime supports as JSON "
                       "(runtime-spec features.md).\n",
                       RUNC_NAME);
                return 0;
        }
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string(RUNC_OCI_VERSION));
        json_object_object_add(o, "hooks", STRINGS(hooks));
        json_object_object_add(o, "mountOptions", STRINGS(mount_options));

        struct json_object *lx = json_object_new_object();
        json_object_object_add(lx, "namespaces", STRINGS(namespaces));
        json_object_object_add(lx, "capabilities", capabilities());
        struct json_object *cg = json_object_new_object();
        json_object_object_add(cg, "v1", json_object_new_boolean(true));
        json_object_object_add(cg, "v2", json_object_new_boolean(true));
        json_object_object_add(cg, "systemd", json_object_new_boolean(false));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(cg, "rdma", json_object_new_boolean(false));
        json_object_object_add(lx, "cgroup", cg);
        struct json_object *sc = json_object_new_object();
        json_object_object_add(sc, "enabled", json_object_new_boolean(true));
        json_object_object_add(sc, "actions", STRINGS(actions));
        json_object_object_add(sc, "operators", STRINGS(operators));
        json_object_object_add(sc, "archs", STRINGS(archs));
        json_object_object_add(sc, "knownFlags", STRINGS(flags));
        json_object_object_add(sc, "supportedFlags", STRINGS(flags));
        json_object_object_add(lx, "seccomp", sc);
        json_object_object_add(lx, "apparmor", boolean_obj("enabled", true));
        json_object_object_add(lx, "selinux", boolean_obj("enabled", true));
        json_object_object_add(lx, "intelRdt", boolean_obj("enabled", false));
        struct json_object *mx = json_object_new_object();
        json_object_object_add(mx, "idmap", boolean_obj("enabled", true));
        json_object_object_add(lx, "mountExtensions", mx);
        json_object_object_add(o, "linux", lx);

        struct json_object *ann = json_object_new_object();
        json_object_object_add(ann, "io.boxlaunch.version",
                               json_object_new_string(
#ifdef BOXLAUNCH_VERSION
                                       BOXLAUNCH_VERSION
#else
                                       "unknown"
#endif
                                       ));
        json_object_object_add(ann, "org.opencontainers.runc.checkpoint.enabled",
                               json_object_new_string("false"));
        json_object_object_add(o, "annotations", ann);
        runc_print_json(o);
        json_object_put(o);
        return 0;
}

/* The template: busybox-friendly, a terminal, sh, the usual mounts, masks and namespaces. */
static const char spec_template[] =
        "{\n"
        "  \"ociVersion\": \"" RUNC_OCI_VERSION "\",\n"
        "  \"process\": {\n"
        "    \"terminal\": true,\n"
        "    \"user\": {\"uid\": 0, \"gid\": 0},\n"
        "    \"args\": [\"sh\"],\n"
        "    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
        "\"TERM=xterm\"],\n"
        "    \"cwd\": \"/\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
        "    },\n"
        "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
        "    \"noNewPrivileges\": true\n"
        "  },\n"
        "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
        "  \"hostname\": \"boxlaunch\",\n"
        "  \"mounts\": [\n"
        "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
        "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
        "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
        "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
        "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", "
        "\"gid=5\"]},\n"
        "    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
        "    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
        "    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
        "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}\n"
        "  ],\n"
        "  \"linux\": {\n"
        "    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
        "    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, "
        "{\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],\n"
        "    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", "
        "\"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
        "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
        "    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
        "\"/proc/sysrq-trigger\"]\n"
        "  }\n"
        "}\n";

int runc_spec(const struct runc_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
                {"bundle", required_argument, NULL, 'b'},
                {"rootless", no_argument, NULL, 'r'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *bundle = ".";
        int ch;
        optind = 1;
        while ((ch = getopt_long(argc, argv, "+b:h", opts, NULL)) >= 0) {
                if (ch == 'b')
                        bundle = optarg;
                else if (ch == 'h') {
                        printf("Usage: %s spec [--bundle DIR]\n\nWrites a template "
                               "config.json into DIR (default: the current directory); "
                               "never overwrites one.\n",
                               RUNC_NAME);
                        return 0;
                } else if (ch != 'r')
                        return 1;
        }
        _cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                if (errno == EEXIST)
                        log_error("File %s exists. Remove it first", path);
                else
                        log_error_errno(-errno, "creating %s", path);
                return 1;
        }
        int r = write_all(fd, spec_template, strlen(spec_template));
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r < 0) {
                log_error_errno(r, "writing %s", path);
                (void)unlink(path);
                return 1;
        }
        return 0;
}

int runc_checkpoint(const struct runc_globals *g, int argc, char **argv)
{
        log_error("%s is not supported by %s", argv[0], RUNC_NAME);
        return 1;
}
