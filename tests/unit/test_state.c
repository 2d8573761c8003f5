/* test_state.c - `exec` and `status` see the box that runs: for every key of the .box key table,
 * a box with that key set survives the state file (written as the supervisor writes it, read as
 * every verb reads it: box_ref_open() + box_ref_config()) field by field. Plus the state file's
 * header and the refusal of a configuration that is not (or not completely) written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config_json.h"
#include "frontend/box/box.h"
#include "ops/boxref.h"
#include "ops/control.h"
#include "core/state.h"
#include "util/log.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/wait.h>
#include "util/syscalls.h"

/* A value for every key, away from its default; `with` adds the keys its section needs (or
 * the value needs) besides it. Labelled sections are written as [SECTION t]. */
struct sample {
        const char *section, *key, *value, *with;
};

#define IO_DEVICE "@DISK@" /* replaced by a block device of this machine */

static const struct sample samples[] = {
        {"Box", "Name", "other-name", NULL},
        {"Box", "Directory", "/srv/other root", NULL},
        {"Box", "ReadOnly", "yes", NULL},
        {"Box", "Hostname", "web-1", NULL},
        {"Box", "Ephemeral", "yes", NULL},
        {"Exec", "Command", "/bin/sh -c \"echo 'a b'\"", NULL},
        {"Exec", "Boot", "yes", NULL},
        {"Exec", "Init", "no", NULL},
        {"Exec", "User", "app", NULL},
        {"Exec", "Group", "staff", NULL},
        {"Exec", "SupplementaryGroups", "wheel 10", NULL},
        {"Exec", "WorkingDirectory", "/srv", NULL},
        {"Exec", "Environment", "A=1 \"B=two words\"", NULL},
        {"Exec", "KillSignal", "SIGRTMIN+3", NULL},
        {"Exec", "StopTimeout", "1min 30s", NULL},
        {"Exec", "Console", "read-only", NULL},
        {"Exec", "NotifyReady", "yes", NULL},
        {"Exec", "NoNewPrivileges", "no", NULL},
        {"Exec", "Personality", "x86", NULL},
        {"Exec", "OOMScoreAdjust", "-17", NULL},
        {"Exec", "CPUAffinity", "0", NULL},
        {"Exec", "Sysctl", "net.ipv4.ip_forward=1 kernel.msgmax=9000",
         "[Namespaces]\nNetwork = private\n"},
        {"Exec", "LimitCPU", "10:20", NULL},
        {"Exec", "LimitFSIZE", "1M", NULL},
        {"Exec", "LimitDATA", "1G:2G", NULL},
        {"Exec", "LimitSTACK", "16M", NULL},
        {"Exec", "LimitCORE", "0:infinity", NULL},
        {"Exec", "LimitRSS", "4096", NULL},
        {"Exec", "LimitNOFILE", "321:654", NULL},
        {"Exec", "LimitAS", "infinity", NULL},
        {"Exec", "LimitNPROC", "777", NULL},
        {"Exec", "LimitMEMLOCK", "64K", NULL},
        {"Exec", "LimitLOCKS", "5", NULL},
        {"Exec", "LimitSIGPENDING", "99", NULL},
        {"Exec", "LimitMSGQUEUE", "8192", NULL},
        {"Exec", "LimitNICE", "10", NULL},
        {"Exec", "LimitRTPRIO", "3", NULL},
        {"Exec", "LimitRTTIME", "1000:2000", NULL},
        {"Namespaces", "Network", "private", NULL},
        {"Namespaces", "User", "100000:65536", NULL},
        {"Namespaces", "UTS", "no", NULL},
        {"Namespaces", "IPC", "no", NULL},
        {"Namespaces", "Cgroup", "no", NULL},
        {"Namespaces", "Time", "yes", NULL},
        {"Capabilities", "Add", "CAP_NET_ADMIN", NULL},
        {"Capabilities", "Drop", "CAP_CHOWN CAP_NET_RAW", NULL},
        {"Capabilities", "Set", "CAP_KILL CAP_SETUID", NULL},
        {"Capabilities", "Ambient", "CAP_NET_BIND_SERVICE", NULL},
        {"Security", "SystemCallFilter", "~keyctl ptrace", NULL},
        {"Security", "SystemCallErrorNumber", "EACCES", NULL},
        {"Security", "Seccomp", "no", NULL},
        {"Security", "AppArmorProfile", "boxlaunch-test", NULL},
        {"Security", "AppArmorOptional", "yes", "AppArmorProfile = boxlaunch-test\n"},
        {"Security", "MaskPaths", "/proc/x /srv/secret", NULL},
        {"Security", "ReadOnlyPaths", "/srv/ro", NULL},
        {"Limits", "MemoryMax", "64M", NULL},
        {"Limits", "MemoryHigh", "48M", NULL},
        {"Limits", "MemorySwapMax", "16M", NULL},
        {"Limits", "CPUQuota", "150%", NULL},
        {"Limits", "CPUQuotaPeriodSec", "50ms", NULL},
        {"Limits", "CPUWeight", "300", NULL},
        {"Limits", "AllowedCPUs", "0", NULL},
        {"Limits", "AllowedMemoryNodes", "0", NULL},
        {"Limits", "TasksMax", "77", NULL},
        {"Limits", "IOWeight", "500", NULL},
        {"Limits", "IOReadBandwidthMax", IO_DEVICE "=10M", NULL},
        {"Limits", "IOWriteBandwidthMax", IO_DEVICE "=5M", NULL},
        {"Limits", "IOReadIOPSMax", IO_DEVICE "=1000", NULL},
        {"Limits", "IOWriteIOPSMax", IO_DEVICE "=500", NULL},
        {"Limits", "Parent", "machine.slice", NULL},
        {"Mount", "Type", "tmpfs", "Target = /m\n"},
        {"Mount", "Source", "/srv/data", "Target = /m\n"},
        {"Mount", "Target", "/m", "Source = /srv/data\n"},
        {"Mount", "Options", "ro,nosuid,nodev", "Source = /srv/data\nTarget = /m\n"},
        {"Mount", "Propagation", "slave", "Source = /srv/data\nTarget = /m\n"},
        {"Mount", "Optional", "yes", "Source = /srv/data\nTarget = /m\n"},
        {"Mount", "LowerDirs", "/l1 /l2", "Type = overlay\nTarget = /m\n"},
        {"Mount", "UpperDir", "/u", "Type = overlay\nTarget = /m\nLowerDirs = /l\nWorkDir = /w\n"},
        {"Mount", "WorkDir", "/w", "Type = overlay\nTarget = /m\nLowerDirs = /l\nUpperDir = /u\n"},
        {"Device", "Path", "/dev/fuse", "Type = char\nNumber = 10:229\n"},
        {"Device", "Type", "block", "Path = /dev/loop9\nNumber = 7:9\n"},
        {"Device", "Number", "10:229", "Path = /dev/fuse\nType = char\n"},
        {"Device", "Access", "r", "Path = /dev/fuse\nType = char\nNumber = 10:229\n"},
        {"Device", "Mode", "0600", "Path = /dev/fuse\nType = char\nNumber = 10:229\n"},
        {"Hook", "Stage", "poststop", "Command = /bin/true\n"},
        {"Hook", "Command", "/bin/echo \"a b\" c", "Stage = prestart\n"},
        {"Hook", "Environment", "X=y Z=1", "Stage = prestart\nCommand = /bin/true\n"},
        {"Hook", "Timeout", "7s", "Stage = prestart\nCommand = /bin/true\n"},
};

static const char *const sections[] = {"Box",    "Exec",  "Namespaces", "Capabilities", "Security",
                                       "Limits", "Mount", "Device",     "Hook"};
static const char *const labelled[] = {"Mount", "Device", "Hook"};

static char runtime_dir[] = "/tmp/test_state.XXXXXX";
static char *disk; /* a block device of this machine, for IO*Max= */

static int setup(void **state)
{
        if (!mkdtemp(runtime_dir))
                return -1;
        setenv("BOXLAUNCH_RUNTIME_DIR", runtime_dir, 1);
        /* Detect, don't assume: the first block device /proc/partitions names. */
        _cleanup_fclose_ FILE *f = fopen("/proc/partitions", "re");
        char line[256], name[128];
        while (f && fgets(line, sizeof(line), f) && !disk) {
                struct stat st;
                if (sscanf(line, "%*u %*u %*u %127s", name) != 1)
                        continue;
                _cleanup_free_ char *p = xasprintf("/dev/%s", name);
                if (stat(p, &st) == 0 && S_ISBLK(st.st_mode))
                        disk = TAKE_PTR(p);
        }
        return disk ? 0 : -1;
}

static int teardown(void **state)
{
        free(disk);
        return rmdir(runtime_dir);
}

static bool is_labelled(const char *section)
{
        for (size_t i = 0; i < ARRAY_SIZE(labelled); i++)
                if (streq(labelled[i], section))
                        return true;
        return false;
}

static const struct sample *sample_of(const char *section, const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
                if (streq(samples[i].section, section) && streq(samples[i].key, key))
                        return &samples[i];
        return NULL;
}

/* Replaces every @DISK@ in s. */
static char *with_disk(const char *s)
{
        char *out = xstrdup(s), *at;
        while ((at = strstr(out, IO_DEVICE))) {
                *at = 0;
                char *n = xasprintf("%s%s%s", out, disk, at + strlen(IO_DEVICE));
                free(out);
                out = n;
        }
        return out;
}

/* The .box text with the sample's key set (or, key_line false, without that line). */
static char *box_text(const struct sample *s, bool key_line)
{
        _cleanup_free_ char *line =
                key_line ? xasprintf("%s = %s\n", s->key, s->value) : xstrdup("");
        _cleanup_free_ char *head = is_labelled(s->section) ? xasprintf("[%s t]\n", s->section)
                                                            : xasprintf("[%s]\n", s->section);
        const char *with = s->with ? s->with : "";
        _cleanup_free_ char *text = NULL;
        if (streq(s->section, "Box"))
                text = xasprintf("[Box]\n%s%s%s",
                                 streq(s->key, "Directory") ? "" : "Directory = /r\n", line, with);
        else if (s->with && s->with[0] == '[') /* keys of another section */
                text = xasprintf("[Box]\nDirectory = /r\n%s%s%s", with, head, line);
        else
                text = xasprintf("[Box]\nDirectory = /r\n%s%s%s", head, with, line);
        return with_disk(text);
}

static int load(const char *text, struct box_config *c)
{
        box_config_init(c);
        return box_file_load_buffer("keys.box", text, strlen(text), c);
}

/* Writes the state file of box `name` as the supervisor does (launch.c write_state()): the
 * header, then the configuration as JSON. We are "PID 1" and "supervisor", and hold the lock. */
static void publish(const char *name, const struct box_config *c, struct box_state *s)
{
        unsigned long long start = 0;
        assert_int_equal(proc_starttime(getpid(), &start), 0);
        assert_int_equal(state_acquire(name, s), 0);
        _cleanup_free_ char *header =
                xasprintf("pid=%d\npidstart=%llu\nsupervisor=%d\ncreated=%lld\ncgroup=%s\n",
                          (int)getpid(), start, (int)getpid(), 1700000000LL, "boxlaunch/t.box");
        _cleanup_free_ char *json = box_config_to_json_string(c);
        assert_int_equal(state_publish(s, "running", header, json), 0);
}

/* a and b, field by field of their JSON form (lossless: test_config_json.c); names the field. */
static void assert_same_fields(const struct box_config *a, const struct box_config *b,
                               const char *what)
{
        struct json_object *ja = box_config_to_json(a), *jb = box_config_to_json(b);
        assert_int_equal(json_object_object_length(ja), json_object_object_length(jb));
        json_object_object_foreach(ja, field, va)
        {
                struct json_object *vb = NULL;
                if (!json_object_object_get_ex(jb, field, &vb))
                        fail_msg("%s: field %s is missing after the state file", what, field);
                if (!json_object_equal(va, vb))
                        fail_msg("%s: field %s is %s after the state file, was %s", what, field,
                                 json_object_to_json_string(vb), json_object_to_json_string(va));
        }
        json_object_put(ja);
        json_object_put(jb);
}

static void quiet(enum log_level l, const char *line, void *userdata)
{
}

static bool same_json(const struct box_config *a, const struct box_config *b)
{
        _cleanup_free_ char *x = box_config_to_json_string(a), *y = box_config_to_json_string(b);
        return streq(x, y);
}

static void check_key(const struct sample *s)
{
        _cleanup_free_ char *what = xasprintf("[%s] %s=", s->section, s->key);
        _cleanup_free_ char *text = box_text(s, true);
        struct box_config c, without;
        if (load(text, &c) < 0)
                fail_msg("%s: the sample does not load:\n%s", what, text);
        /* The key must show in the config: without its line the config differs (unless the
         * section cannot do without it). */
        _cleanup_free_ char *text0 = box_text(s, false);
        log_set_sink(quiet, NULL); /* a section may need the key: then it is not loaded */
        int r = load(text0, &without);
        log_set_sink(NULL, NULL);
        if (r == 0 && same_json(&c, &without))
                fail_msg("%s: the sample changes nothing (a default value?)", what);
        box_config_free(&without);

        struct box_state st = {.fd = -1};
        publish("keys", &c, &st);
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        assert_int_equal(box_ref_open("keys", false, &b), 0);
        const struct box_config *read = box_ref_config(&b, false);
        if (!read)
                fail_msg("%s: the state file's configuration is not readable", what);
        assert_same_fields(&c, read, what);
        /* The text as written, which status --json shows as its "config". */
        _cleanup_free_ char *json = box_config_to_json_string(&c);
        assert_string_equal(b.config_json, json);
        state_release(&st);
        box_config_free(&c);
}

static void test_every_key_survives_the_state_file(void **state)
{
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
                const char *const *keys = box_file_section_keys(sections[i]);
                assert_non_null(keys);
                for (const char *const *k = keys; *k; k++, n++) {
                        const struct sample *s = sample_of(sections[i], *k);
                        if (!s)
                                fail_msg("[%s] %s= has no sample in test_state.c: add one",
                                         sections[i], *k);
                        check_key(s);
                }
        }
        /* Every sample names a key of the table. */
        assert_int_equal(n, ARRAY_SIZE(samples));
}

static void test_header_read_once(void **state)
{
        struct box_config c;
        box_config_init(&c);
        c.name = xstrdup("hdr");
        c.root = xstrdup("/r");
        struct box_state st = {.fd = -1};
        publish("hdr", &c, &st);
        struct state_record rec = {0};
        assert_int_equal(state_read("hdr", &rec), 0);
        assert_string_equal(rec.status, "running");
        assert_int_equal(rec.pid, getpid());
        assert_int_equal(rec.supervisor, getpid());
        assert_int_equal(rec.created, 1700000000LL);
        assert_string_equal(rec.cgroup, "boxlaunch/t.box");
        state_record_done(&rec);
        /* The status is rewritten in place, the rest stays readable. */
        assert_int_equal(state_set_status_of("hdr", "paused"), 0);
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        assert_int_equal(box_ref_open("hdr", false, &b), 0);
        assert_string_equal(b.status, "paused");
        assert_non_null(box_ref_config(&b, false));
        assert_string_equal(box_ref_config(&b, false)->root, "/r");
        state_release(&st);
        box_config_free(&c);
        /* Gone with its lock. */
        assert_int_equal(box_ref_open("hdr", true, &b), -ENOENT);
}

/* A state file as a test writes it: header lines, a blank line, a body. */
static void write_raw(const char *name, const char *text)
{
        _cleanup_free_ char *p = state_path(name);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, text, strlen(text)), 0);
}

static void test_not_written_or_unreadable(void **state)
{
        struct state_record rec = {0};
        assert_int_equal(state_read("none", &rec), -ENOENT);
        /* Shorter than config= says: still being written. */
        write_raw("short", "status=running \npid=1\nconfig=100\n\n{\"version\":1}");
        assert_int_equal(state_read("short", &rec), -EAGAIN);
        /* Longer than it says (the reader stops at the announced length, then sees more). */
        write_raw("long", "status=running \npid=1\nconfig=2\n\n{}{}");
        assert_int_equal(state_read("long", &rec), -EAGAIN);
        /* Past the first read's 4 KiB: read to the announced end. */
        _cleanup_free_ char *pad = xmalloc(9001);
        memset(pad, ' ', 9000);
        pad[9000] = 0;
        _cleanup_free_ char *big =
                xasprintf("status=running \npid=7\nconfig=%zu\n\n{%s}", strlen(pad) + 2, pad);
        write_raw("big", big);
        assert_int_equal(state_read("big", &rec), 0);
        assert_int_equal(rec.pid, 7);
        assert_int_equal(strlen(rec.config), 9002);
        state_record_done(&rec);
        /* A body of format 1 (.box text) or garbage: the header reads, the config does not. */
        const char *body = "[Box]\nDirectory = /r\n";
        _cleanup_free_ char *old =
                xasprintf("status=running \npid=1\nconfig=%zu\n\n%s", strlen(body), body);
        write_raw("old", old);
        assert_int_equal(state_read("old", &rec), 0);
        assert_int_equal(rec.pid, 1);
        struct box_config c;
        assert_int_equal(state_parse_config("old", rec.config, true, &c), -EINVAL);
        box_config_free(&c);
        state_record_done(&rec);
        for (const char *const *n = (const char *const[]){"short", "long", "big", "old", NULL}; *n;
             n++) {
                _cleanup_free_ char *p = state_path(*n);
                assert_int_equal(unlink(p), 0);
        }
}

/* `list` takes the root from the header (root=), without parsing the configuration; a header
 * without it (an older supervisor's) leaves it to the configuration. */
static void test_root_in_header(void **state)
{
        struct box_config c;
        box_config_init(&c);
        c.name = xstrdup("rooted");
        c.root = xstrdup("/from-config");
        struct box_state st = {.fd = -1};
        unsigned long long start = 0;
        assert_int_equal(proc_starttime(getpid(), &start), 0);
        assert_int_equal(state_acquire("rooted", &st), 0);
        _cleanup_free_ char *header = xasprintf(
                "pid=%d\npidstart=%llu\nsupervisor=%d\ncreated=1\ncgroup=x\nroot=/from-header\n"
                "network={\"interface\":\"ve-rooted\"}\n",
                (int)getpid(), start, (int)getpid());
        _cleanup_free_ char *json = box_config_to_json_string(&c);
        assert_int_equal(state_publish(&st, "running", header, json), 0);
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        assert_int_equal(box_ref_open("rooted", false, &b), 0);
        assert_string_equal(b.root, "/from-header");
        assert_string_equal(b.network, "{\"interface\":\"ve-rooted\"}");
        assert_null(b.config); /* not parsed on the way */
        state_release(&st);
        box_ref_done(&b);
        /* publish() writes no root=: NULL, the configuration has it */
        publish("rooted", &c, &st);
        assert_int_equal(box_ref_open("rooted", false, &b), 0);
        assert_null(b.root);
        assert_null(b.network);
        assert_string_equal(box_ref_config(&b, false)->root, "/from-config");
        box_ref_done(&b);
        /* A peek (list) reads the header only; the configuration is read when asked for. */
        assert_int_equal(box_ref_peek("rooted", &b), 0);
        assert_null(b.config_json);
        assert_string_equal(box_ref_config(&b, false)->root, "/from-config");
        state_release(&st);
        box_config_free(&c);
}

/* state_read_running(): one open; a file whose lock is free is no running box. */
static void test_read_running_needs_the_lock(void **state)
{
        struct state_record rec = {0};
        const char *text = "status=running \npid=1\nconfig=2\n\n{}";
        write_raw("unlocked", text);
        assert_int_equal(state_read("unlocked", &rec), 0);
        state_record_done(&rec);
        assert_int_equal(state_read_running("unlocked", true, &rec), -ENOENT);
        _cleanup_free_ char *p = state_path("unlocked");
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        /* a lock held through another open file description, as a supervisor holds it */
        assert_int_equal(flock(fd, LOCK_EX), 0);
        assert_int_equal(state_read_running("unlocked", true, &rec), 0);
        assert_int_equal(rec.pid, 1);
        assert_string_equal(rec.config, "{}");
        state_record_done(&rec);
        /* The header alone (list): no copy of the configuration. */
        assert_int_equal(state_read_running("unlocked", false, &rec), 0);
        assert_int_equal(rec.pid, 1);
        assert_string_equal(rec.status, "running");
        assert_null(rec.config);
        state_record_done(&rec);
        assert_int_equal(unlink(p), 0);
        assert_int_equal(state_read_running("unlocked", true, &rec), -ENOENT);
}

/* stop waits on the supervisor's pidfd: it returns once the lock holder is gone (the lock
 * goes with its exit), and not before. */
static void test_wait_gone_on_pidfd(void **state)
{
        int go[2], hold[2];
        assert_int_equal(pipe2(go, O_CLOEXEC), 0);
        assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct box_state st = {.fd = -1};
                char ch = 0;
                close(go[0]);
                close(hold[1]);
                if (state_acquire("waited", &st) < 0 || write(go[1], "x", 1) != 1)
                        _exit(1);
                (void)!read(hold[0], &ch, 1); /* until the parent closes its end */
                state_release(&st);
                _exit(0);
        }
        close(go[1]);
        close(hold[0]);
        char ch;
        assert_int_equal(read(go[0], &ch, 1), 1);
        close(go[0]);
        _cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
        assert_true(pidfd >= 0);
        assert_true(state_is_running("waited"));
        /* still held: the wait times out */
        assert_false(box_wait_gone_fd("waited", pidfd, 50));
        close(hold[1]);
        assert_true(box_wait_gone_fd("waited", pidfd, 10000));
        assert_false(state_is_running("waited"));
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_key_survives_the_state_file),
                cmocka_unit_test(test_header_read_once),
                cmocka_unit_test(test_not_written_or_unreadable),
                cmocka_unit_test(test_root_in_header),
                cmocka_unit_test(test_read_running_needs_the_lock),
                cmocka_unit_test(test_wait_gone_on_pidfd),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
