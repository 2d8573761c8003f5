/* seccomp.c - the box's filter: the profile (seccomp_profiles.c) and the config's own
 * SystemCallFilter= lists expanded to names, compiled with libseccomp, cached on disk, loaded.
 *
 * Allowed system calls get an explicit rule; everything else libseccomp knows on the native
 * architecture fails with the box's errno (the default action); numbers it does not know fail
 * with ENOSYS (a preamble in front of the program), so that a libc probing a syscall newer than
 * our tables falls back instead of treating EPERM as fatal. */
#include "launch/seccomp.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "launch/seccomp_profiles.h"
#include "util/image.h"
#include "util/log.h"
#include "util/syscallnames.h"
#include "util/syscalls.h"

/* Bump whenever the generated filter changes for the same inputs (rule layout, attributes). */
#define PROFILE_FORMAT 2
/* Native x86_64 numbers stay well below this; anything above is left to the default action. */
#define SYSCALL_NR_MAX 1024
#define CACHE_DEFAULT  "/var/cache/boxlaunch"

/* A growable list of borrowed names (static tables or the config's strings). */
struct name_set {
        const char **v;
        size_t n, alloc;
};

static void name_set_done(struct name_set *s)
{
        free(s->v);
}

static void name_set_push(struct name_set *s, const char *name)
{
        if (s->n == s->alloc) {
                s->alloc = s->alloc ? s->alloc * 2 : 64;
                s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
        }
        s->v[s->n++] = name;
}

static int name_set_expand(struct name_set *s, const char *name, unsigned depth)
{
        if (name[0] != '@') {
                name_set_push(s, name);
                return 0;
        }
        const struct syscall_group *g = syscall_group_find(name);
        if (!g || depth > 4)
                return -EINVAL;
        for (const char *m = g->members; *m; m += strlen(m) + 1) {
                int r = name_set_expand(s, m, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void name_set_sort_unique(struct name_set *s)
{
        size_t k = 0;

        if (s->n == 0)
                return;
        qsort(s->v, s->n, sizeof(*s->v), cmp_name);
        for (size_t i = 1; i < s->n; i++)
                if (!streq(s->v[i], s->v[k]))
                        s->v[++k] = s->v[i];
        s->n = k + 1;
}

static bool name_set_has(const struct name_set *s, const char *name)
{
        return bsearch(&name, s->v, s->n, sizeof(*s->v), cmp_name) != NULL;
}

void seccomp_prog_free(struct box_seccomp_prog *p)
{
        free(p->filter);
        p->filter = NULL;
        p->len = 0;
}

int seccomp_load_prog(const struct box_seccomp_prog *p)
{
        if (p->len == 0)
                return 0;
        struct sock_fprog prog = {.len = p->len, .filter = p->filter};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog) < 0)
                return negative_errno();
        return 0;
}

/* ---- the cache key ---------------------------------------------------------------------- */

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME  UINT64_C(0x100000001b3)

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
        const unsigned char *p = data;
        for (size_t i = 0; i < n; i++) {
                h ^= p[i];
                h *= FNV_PRIME;
        }
        return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
        /* Include the terminator so "ab" "c" and "a" "bc" differ. */
        return fnv1a(h, s, strlen(s) + 1);
}

/* The key names what the filter is made from, as given: this binary (its build id stands for
 * the profile and group tables compiled into it), libseccomp, the architecture, the profile, the
 * capabilities that select its entries, the errno and the config's own lists as written. Keyed
 * on the expanded and sorted names instead, a hit cost twice as much (~50 us more per start).
 * -ENODATA for a binary linked without a build id: then nothing is cached. */
static int cache_key(const struct box_config *c, const struct seccomp_profile *prof, int err,
                     uint64_t caps, uint64_t *ret, uint64_t *ret_build)
{
        const void *id;
        size_t id_len;
        int r = self_build_id(&id, &id_len);
        if (r < 0)
                return r;
        *ret_build = fnv1a(FNV_OFFSET, id, id_len);

        const struct scmp_version *v = seccomp_version();
        char buf[192];
        snprintf(buf, sizeof(buf),
                 "boxlaunch-seccomp %d libseccomp %u.%u.%u arch %u errno %d caps %" PRIx64
                 " profile %s",
                 PROFILE_FORMAT, v->major, v->minor, v->micro, seccomp_arch_native(), err,
                 caps & seccomp_profiles_cap_mask(), prof->name);
        uint64_t h = fnv1a(FNV_OFFSET, id, id_len);
        h = fnv1a_str(h, buf);
        h = fnv1a_str(h, "allow");
        for (char **n = c->seccomp.allow; n && *n; n++)
                h = fnv1a_str(h, *n);
        h = fnv1a_str(h, "deny");
        for (char **n = c->seccomp.deny; n && *n; n++)
                h = fnv1a_str(h, *n);
        *ret = h;
        return 0;
}

/* ---- the cache files --------------------------------------------------------------------- */

/* Opens (creating as needed, 0700) the cache directory, refusing symlinks on the way and a final
 * directory that someone else could write to. */
static int cache_dir_open(int *ret)
{
        const char *base = getenv("BOXLAUNCH_CACHE_DIR");
        if (!base || !*base)
                base = CACHE_DEFAULT;
        _cleanup_free_ char *path = xasprintf("%s/seccomp", base);
        /* Once made, one call; the walk below makes it, refusing symlinks the same way. */
        _cleanup_close_ int fd = sys_openat2(AT_FDCWD, path, O_RDONLY | O_DIRECTORY,
                                             RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0)
                goto check;
        fd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        char *save = NULL;
        for (char *comp = strtok_r(path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return negative_errno();
                closep(&fd);
                fd = next;
        }

check:;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != geteuid() || (st.st_mode & 022))
                return -EPERM;
        *ret = TAKE_FD(fd);
        return 0;
}

/* File layout: the BPF program, then one 8-byte check word (FNV-1a of the program seeded with
 * the key), so that the size stays a multiple of sizeof(struct sock_filter). */
static int cache_read(int dfd, const char *name, uint64_t key, struct box_seccomp_prog *ret)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
                return -EPERM;
        size_t size = (size_t)st.st_size;
        if (st.st_size < 2 * (off_t)sizeof(struct sock_filter) ||
            size % sizeof(struct sock_filter) != 0 ||
            size > (BPF_MAXINSNS + 1) * sizeof(struct sock_filter))
                return -EBADMSG;

        _cleanup_free_ struct sock_filter *buf = xmalloc(size);
        int r = read_all(fd, buf, size);
        if (r < 0)
                return r;
        size_t len = size / sizeof(struct sock_filter) - 1;
        uint64_t check;
        memcpy(&check, &buf[len], sizeof(check));
        if (check != fnv1a(key, buf, len * sizeof(struct sock_filter)))
                return -EBADMSG;

        ret->filter = TAKE_PTR(buf);
        ret->len = (unsigned short)len;
        return 0;
}

static int cache_write(int dfd, const char *name, uint64_t key, const struct box_seccomp_prog *p)
{
        size_t n = p->len * sizeof(struct sock_filter);
        uint64_t check = fnv1a(key, p->filter, n);
        _cleanup_free_ char *tmp = xasprintf(".%s.%d.tmp", name, (int)getpid());

        /* A leftover from a crashed start that had our pid would block O_EXCL forever. */
        (void)unlinkat(dfd, tmp, 0);
        _cleanup_close_ int fd =
                openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        int r = write_all(fd, p->filter, n);
        if (r >= 0)
                r = write_all(fd, &check, sizeof(check));
        /* rename() makes the file appear complete or not at all to a concurrent start. */
        if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlinkat(dfd, tmp, 0);
        return r;
}

/* A file name is "BUILD-KEY.bpf", BUILD hashing the binary's build id. After a miss wrote ours,
 * the filters of other builds go: no start of this binary can hit them, and without this every
 * upgrade would leave its filters behind. Names of another form (older releases' "KEY.bpf")
 * count as another build's; dot files (a concurrent start's temporary) and anything not ending in
 * ".bpf" stay. */
static void cache_prune(int dfd, const char *build)
{
        _cleanup_close_ int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        _cleanup_dir_ DIR *d = fdopendir(fd);
        if (!d)
                return;
        TAKE_FD(fd); /* d owns it */
        size_t blen = strlen(build);
        for (struct dirent *de; (de = readdir(d));) {
                const char *n = de->d_name;
                size_t len = strlen(n);
                if (n[0] == '.' || len < 5 || strcmp(n + len - 4, ".bpf") != 0 ||
                    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN) ||
                    (strncmp(n, build, blen) == 0 && n[blen] == '-'))
                        continue;
                if (unlinkat(dirfd(d), n, 0) < 0 && errno != ENOENT)
                        log_debug("seccomp: cannot remove old cache file %s: %s", n,
                                  strerror(errno));
        }
}

/* ---- compiling --------------------------------------------------------------------------- */

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/* Resolves names to native syscall numbers; names libseccomp does not know here are skipped. */
static void mark_numbers(const struct name_set *s, bool *nr)
{
        for (size_t i = 0; i < s->n; i++) {
                int n = seccomp_syscall_resolve_name(s->v[i]);
                if (n < 0 || n >= SYSCALL_NR_MAX) {
                        log_debug("seccomp: %s is not a system call on this architecture, skipped",
                                  s->v[i]);
                        continue;
                }
                nr[n] = true;
        }
}

/* socket(AF_NETLINK, *, NETLINK_AUDIT) fails with EAFNOSUPPORT: the audit subsystem is not
 * namespaced, and tools fall back to syslog on that errno. An application box is also refused
 * AF_VSOCK (the hypervisor's host side, as in Docker's profile), with the same errno (a rule
 * cannot repeat the default action). Everything else is allowed. The
 * kernel truncates these int arguments, so the refusals compare the low 32 bits only (garbage in
 * the upper half must not get past them); libseccomp puts those rules ahead of the allow rules. */
static int add_socket_rules(scmp_filter_ctx ctx, int nr, bool app)
{
        const struct scmp_arg_cmp netlink32 = {
                .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT32_MAX, .datum_b = AF_NETLINK};
        const struct scmp_arg_cmp audit32 = {.arg = 2,
                                             .op = SCMP_CMP_MASKED_EQ,
                                             .datum_a = UINT32_MAX,
                                             .datum_b = NETLINK_AUDIT};
        const struct scmp_arg_cmp vsock32 = {
                .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT32_MAX, .datum_b = AF_VSOCK};
        const struct scmp_arg_cmp not_netlink = {
                .arg = 0, .op = SCMP_CMP_NE, .datum_a = AF_NETLINK, .datum_b = 0};
        const struct scmp_arg_cmp netlink = {
                .arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_NETLINK, .datum_b = 0};
        const struct scmp_arg_cmp not_audit = {
                .arg = 2, .op = SCMP_CMP_NE, .datum_a = NETLINK_AUDIT, .datum_b = 0};

        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 2, netlink32, audit32);
        if (r < 0)
                return r;
        if (app && (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1, vsock32)) < 0)
                return r;
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, not_netlink);
        if (r < 0)
                return r;
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, netlink, not_audit);
}

/* The namespace flags clone() must not carry without CAP_SYS_ADMIN (CLONE_NEWTIME is only
 * accepted by unshare and clone3). */
#define CLONE_NS_FLAGS                                                                             \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
         CLONE_NEWCGROUP)

/* personality() values an application box may set: plain Linux, PER_LINUX32 and UNAME26 (and
 * both), and the 0xffffffff query. READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE and the rest stay
 * off (they weaken the box's own exploit mitigations). */
static const uint64_t safe_personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

/* What a system call that is not allowed as a whole may still do (and is not denied by name):
 * clone() without namespace flags, personality() with a safe value, and clone3() fails with
 * ENOSYS (its flags are in memory, out of the filter's reach) so that libc falls back to clone().
 * Everything else gets the default action. */
static int add_fallback_rules(scmp_filter_ctx ctx, int nr, const char *name, bool denied)
{
        if (streq(name, "clone3"))
                return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        if (denied)
                return 0;
        if (streq(name, "clone"))
                /* The kernel uses the low 32 bits of the flags; these all live there. */
                return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                        SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0));
        if (streq(name, "personality")) {
                for (size_t i = 0; i < ARRAY_SIZE(safe_personalities); i++) {
                        /* All 64 bits compared: garbage in the upper half is refused. */
                        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                                 SCMP_A0(SCMP_CMP_EQ, safe_personalities[i]));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_len)
{
        /* libseccomp 2.5 exports only to an fd. */
        _cleanup_close_ int fd = memfd_create("boxlaunch-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        off_t size = lseek(fd, 0, SEEK_CUR);
        if (size < 0)
                return negative_errno();
        if (size == 0 || (size_t)size % sizeof(struct sock_filter) != 0 ||
            (size_t)size > BPF_MAXINSNS * sizeof(struct sock_filter))
                return -E2BIG;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        _cleanup_free_ struct sock_filter *buf = xmalloc((size_t)size);
        r = read_all(fd, buf, (size_t)size);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_len = (size_t)size / sizeof(struct sock_filter);
        return 0;
}

/* ---- the ENOSYS preamble ----------------------------------------------------------------- */

/* libseccomp's default action applies to every system call it has no rule for. That must be the
 * box's errno (so an argument rule that does not match refuses with it, as Docker's profile
 * does), yet a number libseccomp does not know at all (a gap in the table, or a call newer than
 * it) must fail with ENOSYS so that libc falls back. The few instructions put in front of the
 * program do the latter: on the native architecture, a number in one of the unknown ranges
 * returns ENOSYS; everything else runs libseccomp's program, which also kills other ABIs. */
#define X32_SYSCALL_BIT 0x40000000u
#define PREAMBLE_MAX    200 /* keeps every conditional jump within its 8-bit offset */

struct nr_range {
        uint32_t lo, hi; /* [lo, hi); hi == 0: no upper end */
};

/* The native numbers libseccomp cannot name, as ranges; the last one is open-ended. */
static size_t unknown_ranges(struct nr_range *v, size_t max)
{
        size_t n = 0;
        bool in = false;
        for (uint32_t nr = 0; nr < SYSCALL_NR_MAX; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                bool unknown = name == NULL;
                if (unknown && !in) {
                        if (n == max)
                                return SIZE_MAX;
                        v[n++] = (struct nr_range){.lo = nr, .hi = 0};
                } else if (!unknown && in)
                        v[n - 1].hi = nr;
                in = unknown;
        }
        /* Above the table: unknown up to the x32 bit (x86-64) or for good. */
        if (!in) {
                if (n == max)
                        return SIZE_MAX;
                v[n++] = (struct nr_range){.lo = SYSCALL_NR_MAX, .hi = 0};
        }
        return n;
}

static int add_enosys_preamble(struct sock_filter *prog, size_t len, struct box_seccomp_prog *ret)
{
        struct nr_range ranges[(PREAMBLE_MAX - 8) / 2];
        size_t n = unknown_ranges(ranges, ARRAY_SIZE(ranges));
        if (n == SIZE_MAX)
                return -E2BIG;
        bool x32 = seccomp_arch_native() == SCMP_ARCH_X86_64;

        struct sock_filter pre[PREAMBLE_MAX];
        size_t k = 0;
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                offsetof(struct seccomp_data, arch));
        size_t arch_jump = k++; /* not native: straight to the program; patched below */
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                offsetof(struct seccomp_data, nr));
        size_t x32_jump = SIZE_MAX;
        if (x32)
                x32_jump = k++; /* x32 numbers: the program kills them; patched below */
        size_t enosys_jumps[ARRAY_SIZE(ranges)];
        for (size_t i = 0; i < n; i++) {
                if (ranges[i].hi == 0) {
                        /* nr >= lo: ENOSYS */
                        enosys_jumps[i] = k;
                        pre[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
                                                                ranges[i].lo, 0, 0);
                        continue;
                }
                /* nr < lo: on to the next range; nr < hi: ENOSYS */
                pre[k++] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges[i].lo, 0, 1);
                enosys_jumps[i] = k;
                pre[k++] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges[i].hi, 0, 0);
        }
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 1);
        size_t enosys = k;
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                                SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
        size_t start = k; /* the program's first instruction */

        /* Offsets count from the instruction after the jump. */
        pre[arch_jump] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                                      (uint32_t)seccomp_arch_native(), 0,
                                                      (uint8_t)(start - arch_jump - 1));
        if (x32)
                pre[x32_jump] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT,
                                                     (uint8_t)(start - x32_jump - 1), 0);
        for (size_t i = 0; i < n; i++) {
                uint8_t off = (uint8_t)(enosys - enosys_jumps[i] - 1);
                if (ranges[i].hi == 0)
                        pre[enosys_jumps[i]].jt = off;
                else
                        pre[enosys_jumps[i]].jf = off;
        }

        if (start + len > BPF_MAXINSNS)
                return -E2BIG;
        ret->filter = xmalloc((start + len) * sizeof(struct sock_filter));
        memcpy(ret->filter, pre, start * sizeof(struct sock_filter));
        memcpy(ret->filter + start, prog, len * sizeof(struct sock_filter));
        ret->len = (unsigned short)(start + len);
        return 0;
}

static int build_filter(const struct name_set *allow, const struct name_set *deny, int err,
                        bool app, struct box_seccomp_prog *ret)
{
        bool allowed[SYSCALL_NR_MAX] = {false}, denied[SYSCALL_NR_MAX] = {false};
        int r;

        mark_numbers(allow, allowed);
        mark_numbers(deny, denied);
        int socket_nr = seccomp_syscall_resolve_name("socket");

        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(err));
        if (!ctx)
                return -ENOMEM;
        /* Only the native ABI: 32-bit and x32 entry points would bypass per-number rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        /* A binary tree keeps the per-syscall cost logarithmic with ~300 rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                log_debug("seccomp: binary tree optimisation unavailable: %s", strerror(-r));

        for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                if (!name)
                        continue;
                if (allowed[nr] && !denied[nr])
                        r = nr == socket_nr ? add_socket_rules(ctx, nr, app)
                                            : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
                else /* the default action refuses it, unless an argument rule applies */
                        r = add_fallback_rules(ctx, nr, name, denied[nr]);
                if (r < 0)
                        return r;
        }

        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t len = 0;
        r = export_bpf(ctx, &prog, &len);
        if (r < 0)
                return r;
        return add_enosys_preamble(prog, len, ret);
}

/* ---- a literal filter (OCI linux.seccomp) ------------------------------------------------ */

static uint32_t scmp_action(uint32_t a)
{
        switch (BOX_SCMP_ACTION(a)) {
        case BOX_SCMP_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case BOX_SCMP_TRAP:
                return SCMP_ACT_TRAP;
        case BOX_SCMP_ERRNO:
                return SCMP_ACT_ERRNO(BOX_SCMP_DATA(a));
        case BOX_SCMP_TRACE:
                return SCMP_ACT_TRACE(BOX_SCMP_DATA(a));
        case BOX_SCMP_ALLOW:
                return SCMP_ACT_ALLOW;
        case BOX_SCMP_LOG:
                return SCMP_ACT_LOG;
        default:
                return SCMP_ACT_KILL_THREAD;
        }
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token. */
static uint32_t scmp_arch(const char *name)
{
        char lower[64];
        size_t i = 0;
        for (const char *p = name + strlen("SCMP_ARCH_"); *p && i + 1 < sizeof(lower); p++)
                lower[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        lower[i] = 0;
        return seccomp_arch_resolve_name(lower);
}

static const struct {
        const char *name;
        unsigned flag;
} filter_flags[] = {
        {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
        {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
        {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
        {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5},
};

static int compile_literal(const struct box_config *c, struct box_seccomp_prog *ret)
{
        const struct box_seccomp *sc = &c->seccomp;
        char w[512];
        box_config_where(c, BOX_F_SECCOMP, NULL, 0, w, sizeof(w));
        uint32_t def = scmp_action(sc->default_action);
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return log_error_errno(-ENOMEM, "%s: seccomp_init", w);
        /* boxlaunch sets no_new_privs itself, as the config says. */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return log_error_errno(r, "%s: seccomp_attr_set", w);
        for (char **a = sc->arches; a && *a; a++) {
                uint32_t arch = scmp_arch(*a);
                if (!arch)
                        return log_error_errno(-EINVAL,
                                               "%s.architectures: %s unknown to libseccomp", w, *a);
                r = seccomp_arch_add(ctx, arch);
                if (r < 0 && r != -EEXIST)
                        return log_error_errno(r, "%s.architectures: adding %s", w, *a);
        }
        for (char **f = sc->flags; f && *f; f++)
                for (size_t i = 0; i < ARRAY_SIZE(filter_flags); i++)
                        if (streq(*f, filter_flags[i].name))
                                ret->flags |= filter_flags[i].flag;
        for (size_t i = 0; i < sc->n_rules; i++) {
                const struct box_seccomp_rule *rule = &sc->rules[i];
                uint32_t act = scmp_action(rule->action);
                if (act == def)
                        continue; /* libseccomp refuses a rule that repeats the default */
                struct scmp_arg_cmp args[6];
                size_t n = 0;
                bool same_index = false;
                for (size_t k = 0; k < rule->n_args && n < ARRAY_SIZE(args); k++) {
                        const struct box_seccomp_arg *a = &rule->args[k];
                        for (size_t j = 0; j < k; j++)
                                same_index = same_index || rule->args[j].index == a->index;
                        args[n++] = (struct scmp_arg_cmp){a->index, (enum scmp_compare)a->op,
                                                          a->value, a->value_two};
                }
                for (char **name = rule->names; name && *name; name++) {
                        int nr = seccomp_syscall_resolve_name(*name);
                        if (nr == __NR_SCMP_ERROR) {
                                /* Profiles list calls of other kernels and architectures. */
                                log_debug("%s: system call %s unknown here, skipped", w, *name);
                                continue;
                        }
                        /* Two conditions on one argument are alternatives (as runc reads
                         * them): one rule each. */
                        if (same_index) {
                                for (size_t k = 0; k < n && r >= 0; k++)
                                        r = seccomp_rule_add_array(ctx, act, nr, 1, &args[k]);
                        } else {
                                r = seccomp_rule_add_array(ctx, act, nr, (unsigned)n, args);
                        }
                        if (r < 0)
                                return log_error_errno(r, "%s.syscalls[%zu]: adding %s", w, i,
                                                       *name);
                }
        }
        size_t len;
        r = export_bpf(ctx, &ret->filter, &len);
        if (r < 0)
                return log_error_errno(r, "%s: exporting the filter", w);
        ret->len = (unsigned short)len;
        return 0;
}

int seccomp_compile(const struct box_config *c, uint64_t caps, struct box_seccomp_prog *ret)
{
        struct name_set allow _cleanup_(name_set_done) = {0};
        struct name_set deny _cleanup_(name_set_done) = {0};
        struct name_set final _cleanup_(name_set_done) = {0};
        int r;

        *ret = (struct box_seccomp_prog){0};
        if (!c->seccomp.enabled)
                return 0;
        if (c->seccomp.literal)
                return compile_literal(c, ret);

        /* 0 is "unset"; the kernel's SECCOMP_RET_DATA carries at most MAX_ERRNO. */
        int err = c->seccomp.errno_value == 0 ? EPERM : c->seccomp.errno_value;
        if (err < 0 || err > 4095)
                return -EINVAL;

        const struct seccomp_profile *prof =
                c->boot ? &seccomp_profile_machine : &seccomp_profile_app;
        uint64_t key = 0, build_hash = 0;
        char name[48] = "", build[17] = "";
        _cleanup_close_ int dfd = -EBADF;
        bool keyed = cache_key(c, prof, err, caps, &key, &build_hash) >= 0;
        if (keyed) {
                snprintf(build, sizeof(build), "%016" PRIx64, build_hash);
                snprintf(name, sizeof(name), "%s-%016" PRIx64 ".bpf", build, key);
                r = cache_dir_open(&dfd);
                if (r < 0) {
                        log_debug("seccomp: cache directory unusable, compiling: %s", strerror(-r));
                } else {
                        r = cache_read(dfd, name, key, ret);
                        if (r >= 0)
                                return 0;
                        if (r != -ENOENT)
                                log_debug("seccomp: ignoring cache file %s: %s", name,
                                          strerror(-r));
                }
        }

        for (size_t i = 0; i < prof->n; i++) {
                const struct profile_entry *e = &prof->entries[i];
                if (e->cap >= 0 && !(caps & (UINT64_C(1) << e->cap)))
                        continue;
                r = name_set_expand(&allow, e->name, 0);
                if (r < 0)
                        return r;
        }
        for (char **n = c->seccomp.allow; n && *n; n++) {
                r = name_set_expand(&allow, *n, 0);
                if (r < 0)
                        return r;
        }
        for (char **n = c->seccomp.deny; n && *n; n++) {
                r = name_set_expand(&deny, *n, 0);
                if (r < 0)
                        return r;
        }
        name_set_sort_unique(&allow);
        name_set_sort_unique(&deny);
        /* Deny wins over allow. */
        for (size_t i = 0; i < allow.n; i++)
                if (!name_set_has(&deny, allow.v[i]))
                        name_set_push(&final, allow.v[i]);

        r = build_filter(&final, &deny, err, !c->boot, ret);
        if (r < 0)
                return r;
        if (keyed && dfd >= 0) {
                r = cache_write(dfd, name, key, ret);
                if (r < 0)
                        log_debug("seccomp: cannot write cache file %s: %s", name, strerror(-r));
                else
                        cache_prune(dfd, build);
        }
        return 0;
}
