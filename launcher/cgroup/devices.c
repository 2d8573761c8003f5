/* devices.c - the box's device policy: a default allow-list (the devices every container needs)
 * plus the configured devices. v1: the devices controller's deny/allow files. v2: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, written instruction by instruction (no libbpf). */
#include "cgroup/devices.h"
#include "util/log.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

#define ANY (-1)

enum { ACC_M = 1, ACC_R = 2, ACC_W = 4, ACC_ALL = 7 }; /* same bits as BPF_DEVCG_ACC_* */

struct dev_rule {
        char type;         /* 'c', 'b' or 'a' (any) */
        long major, minor; /* ANY for a wildcard */
        unsigned access;   /* ACC_* */
        bool deny;         /* an OCI deny rule */
};

/* The null/zero/full/random/urandom/tty/console/ptmx/pts nodes, nothing else. No mknod of other
 * devices either: a node the box cannot open is still a node on the host when the box makes it
 * in a bind-mounted host directory, where any host user may open it (a disk's, say). */
static const struct dev_rule default_rules[] = {
        {'c', 1, 3, ACC_ALL, false}, {'c', 1, 5, ACC_ALL, false}, {'c', 1, 7, ACC_ALL, false},
        {'c', 1, 8, ACC_ALL, false}, {'c', 1, 9, ACC_ALL, false}, {'c', 5, 0, ACC_ALL, false},
        {'c', 5, 1, ACC_ALL, false}, {'c', 5, 2, ACC_ALL, false}, {'c', 136, ANY, ACC_ALL, false},
};

static int access_bits(const char *s, unsigned *ret)
{
        unsigned a = 0;
        for (; *s; s++) {
                if (*s == 'r')
                        a |= ACC_R;
                else if (*s == 'w')
                        a |= ACC_W;
                else if (*s == 'm')
                        a |= ACC_M;
                else
                        return -EINVAL;
        }
        if (!a)
                return -EINVAL;
        *ret = a;
        return 0;
}

static int device_rule(const struct box_device *d, struct dev_rule *ret)
{
        unsigned a;
        if ((d->type != 'c' && d->type != 'b') || access_bits(d->access, &a) < 0)
                return log_error_errno(-EINVAL, "Device %s: bad type '%c' or access \"%s\"",
                                       d->name ? d->name : "?", d->type ? d->type : '?', d->access);
        /* boxlaunch makes the node itself, in the box's cgroup when it joins early. */
        *ret = (struct dev_rule){d->type, (long)d->major, (long)d->minor, a | ACC_M, false};
        return 0;
}

int devices_check(const struct box_device *devs, size_t n_devs)
{
        struct dev_rule r;
        for (size_t i = 0; i < n_devs; i++) {
                int k = device_rule(&devs[i], &r);
                if (k < 0)
                        return k;
        }
        return 0;
}

static void rule_string(const struct dev_rule *r, char *buf, size_t size)
{
        char maj[16] = "*", min[16] = "*", acc[4];
        size_t n = 0;
        if (r->major != ANY)
                snprintf(maj, sizeof(maj), "%ld", r->major);
        if (r->minor != ANY)
                snprintf(min, sizeof(min), "%ld", r->minor);
        if (r->access & ACC_R)
                acc[n++] = 'r';
        if (r->access & ACC_W)
                acc[n++] = 'w';
        if (r->access & ACC_M)
                acc[n++] = 'm';
        acc[n] = 0;
        snprintf(buf, size, "%c %s:%s %s", r->type, maj, min, acc);
}

/* The rules in the order they are applied, the last match deciding: the default allow-list
 * and the configured devices; with OCI rules (linux.resources.devices, c->limits.dev_rules_given)
 * those first, then the default allow-list (as runc), and the config's devices are not allowed
 * by themselves. */
static int collect_rules(const struct box_config *c, const struct box_device *devs, size_t n_devs,
                         struct dev_rule **ret, size_t *ret_n)
{
        const struct box_limits *l = c ? &c->limits : NULL;
        bool oci = l && l->dev_rules_given;
        size_t n = 0, max = ARRAY_SIZE(default_rules) + n_devs + (oci ? l->n_dev_rules + 2 : 0);
        _cleanup_free_ struct dev_rule *v = xcalloc(max ? max : 1, sizeof(*v));
        for (size_t i = 0; oci && i < l->n_dev_rules; i++) {
                const struct box_dev_rule *d = &l->dev_rules[i];
                unsigned a;
                if (access_bits(d->access, &a) < 0)
                        a = ACC_ALL;
                v[n++] = (struct dev_rule){d->type, d->major < 0 ? ANY : (long)d->major,
                                           d->minor < 0 ? ANY : (long)d->minor, a, !d->allow};
        }
        for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
                v[n++] = default_rules[i];
        /* As runc: an OCI box may mknod any node (opening it is what the rules decide); the
         * listed devices are made in the box's cgroup. */
        if (oci) {
                v[n++] = (struct dev_rule){'c', ANY, ANY, ACC_M, false};
                v[n++] = (struct dev_rule){'b', ANY, ANY, ACC_M, false};
        }
        for (size_t i = 0; !oci && i < n_devs; i++) {
                int r = device_rule(&devs[i], &v[n]);
                if (r < 0)
                        return r;
                n++;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* A rule to devices.deny or devices.allow, each opened once for all of a box's rules (a fake
 * tree's files collect them as lines, the first deny replacing what was there). */
static int write_rule(const struct box_cgroup *cg, int dirfd, int *fd, bool deny, bool first,
                      const char *rule)
{
        const char *name = deny ? "devices.deny" : "devices.allow";
        if (cg->fake)
                return cg_write(cg, dirfd, name, rule, !first);
        if (*fd < 0) {
                *fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
                if (*fd < 0)
                        return -errno;
        }
        return cg_write_fd(*fd, rule);
}

static int apply_v1(const struct box_cgroup *cg, int dirfd, const struct box_device *devs,
                    size_t n_devs)
{
        char buf[64];
        _cleanup_free_ struct dev_rule *rules = NULL;
        size_t n;
        int r = collect_rules(cg->config, devs, n_devs, &rules, &n);
        if (r < 0)
                return r;
        /* Deny everything first: a new group inherits its parent's (usually "a *:* rwm"). */
        _cleanup_close_ int allow_fd = -EBADF, deny_fd = -EBADF;
        r = write_rule(cg, dirfd, &deny_fd, true, true, "a");
        if (r < 0)
                return log_error_errno(r, "Failed to write devices.deny");
        for (size_t i = 0; i < n; i++) {
                bool all = rules[i].type == 'a' && rules[i].major == ANY && rules[i].minor == ANY &&
                           rules[i].access == ACC_ALL;
                /* The usual first OCI rule, deny everything, is what was just written. */
                if (i == 0 && all && rules[i].deny)
                        continue;
                if (all)
                        snprintf(buf, sizeof(buf), "a");
                else
                        rule_string(&rules[i], buf, sizeof(buf));
                r = write_rule(cg, dirfd, rules[i].deny ? &deny_fd : &allow_fd, rules[i].deny,
                               false, buf);
                if (r < 0 && cg->config) {
                        char w[PATH_MAX + 128];
                        return log_error_errno(r, "%s: cannot %s device \"%s\"",
                                               box_config_where(cg->config,
                                                                cg->config->limits.dev_rules_given
                                                                        ? BOX_F_DEVICE_RULES
                                                                        : BOX_F_DEVICE,
                                                                NULL, 0, w, sizeof(w)),
                                               rules[i].deny ? "deny" : "allow", buf);
                }
                if (r < 0)
                        return log_error_errno(r, "Failed to allow device \"%s\"", buf);
        }
        return 0;
}

/* --- the BPF program --------------------------------------------------------------------- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        return (struct bpf_insn){
                .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_IMM(dst, imm)    insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define MOV_REG(dst, src)    insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define AND_IMM(dst, imm)    insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm)    insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, o) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, o, imm)
#define EXIT()               insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue: r2 = device type, r3 = access, r4 = major, r5 = minor. */
static size_t emit_rule(const struct dev_rule *r, struct bpf_insn *out)
{
        size_t n = 0;
        /* Count first: every test jumps to the next rule, past the rest of this block. */
        bool any = r->type == 'a';
        size_t len =
                !any + (r->access != ACC_ALL ? 3 : 0) + (r->major != ANY) + (r->minor != ANY) + 2;
        int type = r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;

        if (!any) {
                out[n] = JNE_IMM(BPF_REG_2, type, (int16_t)(len - n - 1));
                n++;
        }
        if (r->access != ACC_ALL) {
                /* Any requested access bit outside the rule's set -> no match. */
                out[n++] = MOV_REG(BPF_REG_1, BPF_REG_3);
                out[n++] = AND_IMM(BPF_REG_1, (int32_t)(~r->access & ACC_ALL));
                out[n] = JNE_IMM(BPF_REG_1, 0, (int16_t)(len - n - 1));
                n++;
        }
        if (r->major != ANY) {
                out[n] = JNE_IMM(BPF_REG_4, (int32_t)r->major, (int16_t)(len - n - 1));
                n++;
        }
        if (r->minor != ANY) {
                out[n] = JNE_IMM(BPF_REG_5, (int32_t)r->minor, (int16_t)(len - n - 1));
                n++;
        }
        out[n++] = MOV_IMM(BPF_REG_0, r->deny ? 0 : 1);
        out[n++] = EXIT();
        return n;
}

static int build_bpf(const struct box_config *c, const struct box_device *devs, size_t n_devs,
                     struct bpf_insn **ret, size_t *len)
{
        _cleanup_free_ struct dev_rule *rules = NULL;
        size_t n_rules;
        int r = collect_rules(c, devs, n_devs, &rules, &n_rules);
        if (r < 0)
                return r;
        /* 5 prologue + at most 8 per rule + 2 epilogue. */
        _cleanup_free_ struct bpf_insn *p = xcalloc(7 + 8 * n_rules, sizeof(struct bpf_insn));
        size_t n = 0;

        /* struct bpf_cgroup_dev_ctx: access_type = (access << 16) | type, major, minor. */
        p[n++] = LDX_W(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[n++] = MOV_REG(BPF_REG_3, BPF_REG_2);
        p[n++] = AND_IMM(BPF_REG_2, 0xffff);
        p[n++] = RSH_IMM(BPF_REG_3, 16);
        p[n++] = LDX_W(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major));
        p[n++] = LDX_W(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor));

        /* The last matching rule decides: test them from the last one. */
        for (size_t i = n_rules; i-- > 0;)
                n += emit_rule(&rules[i], p + n);
        /* No rule matched: deny. */
        p[n++] = MOV_IMM(BPF_REG_0, 0);
        p[n++] = EXIT();

        *len = n;
        *ret = TAKE_PTR(p);
        return 0;
}

int devices_build_bpf(const struct box_device *devs, size_t n_devs, struct bpf_insn **ret,
                      size_t *len)
{
        return build_bpf(NULL, devs, n_devs, ret, len);
}

static int bpf_call(int cmd, union bpf_attr *attr)
{
        return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int attach_bpf(const struct box_config *c, int dirfd, const struct box_device *devs,
                      size_t n_devs)
{
        _cleanup_free_ struct bpf_insn *prog = NULL;
        size_t len;
        int r = build_bpf(c, devs, n_devs, &prog, &len);
        if (r < 0)
                return r;

        union bpf_attr attr = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insns = (uint64_t)(uintptr_t)prog,
                .insn_cnt = (uint32_t)len,
                .license = (uint64_t)(uintptr_t) "GPL",
        };
        _cleanup_close_ int prog_fd = bpf_call(BPF_PROG_LOAD, &attr);
        if (prog_fd < 0 && errno == EPERM)
                return -EPERM; /* no privilege for bpf() here: the caller decides */
        if (prog_fd < 0) {
                r = negative_errno();
                /* Load again with the verifier log, only to say why (on the heap: a static
                 * buffer would share its pages with variables every supervisor writes). */
                const size_t size = 8192;
                _cleanup_free_ char *log_buf = xcalloc(1, size);
                attr.log_buf = (uint64_t)(uintptr_t)log_buf;
                attr.log_size = (uint32_t)size;
                attr.log_level = 1;
                _cleanup_close_ int again = bpf_call(BPF_PROG_LOAD, &attr);
                return log_error_errno(r, "Failed to load the device BPF program (%s)",
                                       log_buf[0] ? log_buf : "no verifier log");
        }

        /* ALLOW_MULTI: a nested manager (systemd in a machine box) may add its own programs,
         * which can only restrict further. The cgroup keeps the program after we close it. */
        attr = (union bpf_attr){
                .target_fd = (uint32_t)dirfd,
                .attach_bpf_fd = (uint32_t)prog_fd,
                .attach_type = BPF_CGROUP_DEVICE,
                .attach_flags = BPF_F_ALLOW_MULTI,
        };
        if (bpf_call(BPF_PROG_ATTACH, &attr) < 0)
                return log_error_errno(negative_errno(), "Failed to attach the device BPF program");
        return 0;
}

int devices_attach_bpf(int dirfd, const struct box_device *devs, size_t n_devs)
{
        return attach_bpf(NULL, dirfd, devs, n_devs);
}

int devices_apply(const struct box_cgroup *cg, const struct box_device *devs, size_t n_devs)
{
        if (cg->dirs[CG_DEVICES].fd >= 0)
                return apply_v1(cg, cg->dirs[CG_DEVICES].fd, devs, n_devs);
        if (cg->dirs[CG_V2].fd < 0)
                return 0;
        if (cg->fake) {
                /* No kernel to attach to: still build the program, to catch bad rules. */
                _cleanup_free_ struct bpf_insn *prog = NULL;
                size_t len;
                return build_bpf(cg->config, devs, n_devs, &prog, &len);
        }
        int r = attach_bpf(cg->config, cg->dirs[CG_V2].fd, devs, n_devs);
        if (r != -EPERM)
                return r;
        /* bpf() refused, as inside a container (seccomp, no CAP_BPF). Our processes are still
         * in the container's own devices group (read-only to us), or below its cgroup2 group,
         * whose programs bind every group under it: its device policy binds the box. Said, not
         * silent; anywhere else it is an error. */
        if (cg->dirs[CG_DEVICES].denied || cg->layout == CGROUP_LAYOUT_V2) {
                log_warn("Cannot load the box's device BPF program (not permitted here, as inside "
                         "a container): the box's device access is limited by the enclosing "
                         "container's device policy, not by its own");
                return 0;
        }
        return log_error_errno(r, "Failed to load the device BPF program");
}
