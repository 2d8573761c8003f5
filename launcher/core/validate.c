/* validate.c - the rules a config keeps whatever front-end filled it (box_config_validate()):
 * required values, conflicts, path rules; then the derived defaults. Every message names the
 * field at fault through box_config_where(), so it reads in the front-end's syntax. */
#include "core/config.h"

#include "core/names.h"
#include "util/log.h"

#define WHERE_MAX 512

static bool path_has_dotdot(const char *p)
{
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
                        return true;
        return false;
}

/* Paths equal up to repeated and trailing slashes ("/data/" is "/data"). */
static bool path_equal(const char *a, const char *b)
{
        for (;;) {
                if (*a == '/' && *b == '/') {
                        a += strspn(a, "/");
                        b += strspn(b, "/");
                        if (!*a || !*b)
                                return !*a && !*b;
                        continue;
                }
                if (*a != *b)
                        return (*a == '/' && !a[strspn(a, "/")] && !*b) ||
                               (*b == '/' && !b[strspn(b, "/")] && !*a);
                if (!*a)
                        return true;
                a++;
                b++;
        }
}

/* A sysctl that changes a namespace the box does not have changes the host's: which namespace
 * (and the field that gives it) key needs, or NULL. */
static const char *sysctl_needs(const struct box_config *c, const char *k, enum box_field *field)
{
        if (strncmp(k, "net.", 4) == 0 && c->net != BOX_NET_PRIVATE && !c->ns_join[BOX_NS_NET]) {
                *field = BOX_F_NS_NET;
                return "a private network";
        }
        if ((strncmp(k, "kernel.shm", 10) == 0 || strncmp(k, "kernel.msg", 10) == 0 ||
             streq(k, "kernel.sem") || strncmp(k, "fs.mqueue.", 10) == 0) &&
            !c->ns_ipc && !c->ns_join[BOX_NS_IPC]) {
                *field = BOX_F_NS_IPC;
                return "an IPC namespace";
        }
        if ((streq(k, "kernel.hostname") || streq(k, "kernel.domainname")) && !c->ns_uts &&
            !c->ns_join[BOX_NS_UTS]) {
                *field = BOX_F_NS_UTS;
                return "a UTS namespace";
        }
        return NULL;
}

static unsigned check_process(const struct box_config *c)
{
        char w[WHERE_MAX], other[256];
        unsigned errors = 0;

        if (!c->root) {
                log_error("%s: not set; the box needs a root directory",
                          box_config_where(c, BOX_F_ROOT, NULL, 0, w, sizeof(w)));
                errors++;
        } else if (path_has_dotdot(c->root)) {
                log_error("%s=%s must not contain '..'",
                          box_config_where(c, BOX_F_ROOT, NULL, 0, w, sizeof(w)), c->root);
                errors++;
        }
        if (c->boot && c->init == BOX_YES) {
                log_error(
                        "%s=yes runs the image's init as PID 1; it cannot be combined with %s=yes",
                        box_config_where(c, BOX_F_BOOT, NULL, 0, w, sizeof(w)),
                        box_config_field_name(c, BOX_F_INIT, NULL, other, sizeof(other)));
                errors++;
        }
        if (c->boot && c->caps.ambient) {
                log_error("%s: ambient capabilities cannot be used with %s=yes",
                          box_config_where(c, BOX_F_CAPS_AMBIENT, NULL, 0, w, sizeof(w)),
                          box_config_field_name(c, BOX_F_BOOT, NULL, other, sizeof(other)));
                errors++;
        }
        for (size_t i = 0; i < c->n_sysctls; i++) {
                enum box_field ns;
                const char *k = c->sysctls[i].key, *need = sysctl_needs(c, k, &ns);
                if (need) {
                        log_error("%s: %s needs %s (%s); it would change the host",
                                  box_config_where(c, BOX_F_SYSCTL, NULL, 0, w, sizeof(w)), k, need,
                                  box_config_field_name(c, ns, NULL, other, sizeof(other)));
                        errors++;
                }
        }
        for (int t = 0; t < _BOX_NS_MAX; t++) {
                if (!c->ns_join[t])
                        continue;
                /* A namespace joined by path belongs to the host's user namespace, where a new
                 * user namespace would have no rights over it. (Mount and pid namespaces are
                 * joined for OCI configs only: a .box has no key for them.) */
                if (t == BOX_NS_USER) {
                        log_error("%s=%s: joining an existing user namespace is not supported",
                                  box_config_where(c, BOX_F_NS_JOIN, NULL, 0, w, sizeof(w)),
                                  c->ns_join[t]);
                        errors++;
                } else if (c->userns == BOX_USERNS_DEFAULT ? c->boot : c->userns != BOX_USERNS_NO) {
                        log_error("%s=%s: joining a namespace cannot be combined with a new user "
                                  "namespace (%s)",
                                  box_config_where(c, BOX_F_NS_JOIN, NULL, 0, w, sizeof(w)),
                                  c->ns_join[t],
                                  box_config_field_name(c, BOX_F_NS_USER, NULL, other,
                                                        sizeof(other)));
                        errors++;
                }
        }
        if (c->ns_pid_host && c->boot) {
                log_error("%s: a booted machine needs a pid namespace of its own",
                          box_config_where(c, BOX_F_NS_PID, NULL, 0, w, sizeof(w)));
                errors++;
        }
        if (c->userns == BOX_USERNS_FIXED && c->uid_count < 65536 && c->uid_base == 0) {
                /* Mapping host root into the box is what the user namespace is meant to avoid. */
                log_error("%s=0:%u maps the host's root into the box",
                          box_config_where(c, BOX_F_NS_USER, NULL, 0, w, sizeof(w)), c->uid_count);
                errors++;
        }
        return errors;
}

static unsigned check_items(const struct box_config *c)
{
        char w[WHERE_MAX], other[256];
        unsigned errors = 0;

        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct box_mount *m = &c->mounts[i];
                if (m->target && path_has_dotdot(m->target)) {
                        log_error("%s=%s must not contain '..'",
                                  box_config_where(c, BOX_F_MOUNT_TARGET, m->name, m->origin.line,
                                                   w, sizeof(w)),
                                  m->target);
                        errors++;
                }
                for (size_t j = 0; j < i && !(c->frontend && c->frontend->mounts_stack); j++)
                        if (m->target && c->mounts[j].target &&
                            path_equal(m->target, c->mounts[j].target)) {
                                log_error("%s mounts on %s like %s",
                                          box_config_where(c, BOX_F_MOUNT, m->name, m->origin.line,
                                                           w, sizeof(w)),
                                          m->target,
                                          box_config_field_name(c, BOX_F_MOUNT, c->mounts[j].name,
                                                                other, sizeof(other)));
                                errors++;
                        }
        }
        for (size_t i = 0; i < c->n_devices; i++)
                for (size_t j = 0; j < i; j++) {
                        const struct box_device *d = &c->devices[i];
                        if (!path_equal(d->path, c->devices[j].path))
                                continue;
                        log_error("%s uses the path %s of %s",
                                  box_config_where(c, BOX_F_DEVICE, d->name, d->origin.line, w,
                                                   sizeof(w)),
                                  d->path,
                                  box_config_field_name(c, BOX_F_DEVICE, c->devices[j].name, other,
                                                        sizeof(other)));
                        errors++;
                }
        return errors;
}

static unsigned check_limits(const struct box_config *c)
{
        char w[WHERE_MAX], other[256];
        if (c->limits.memory_swap_max == BOX_LIMIT_UNSET || c->limits.memory_max != BOX_LIMIT_UNSET)
                return 0;
        log_error("%s: needs %s as well",
                  box_config_where(c, BOX_F_MEMORY_SWAP_MAX, NULL, 0, w, sizeof(w)),
                  box_config_field_name(c, BOX_F_MEMORY_MAX, NULL, other, sizeof(other)));
        return 1;
}

static unsigned check_ports(const struct box_config *c)
{
        char w[WHERE_MAX], other[256];
        unsigned errors = 0;
        const struct box_net *n = &c->netcfg;
        for (size_t i = 0; i < n->n_ports; i++) {
                const struct box_port *p = &n->ports[i];
                if (!box_config_veth(c)) {
                        /* As nspawn: "Cannot use --port= without private networking." */
                        log_error("%s: a published port needs a virtual Ethernet link (%s=yes, "
                                  "Bridge= or Zone=)",
                                  box_config_where(c, BOX_F_PORT, p->name, p->origin.line, w,
                                                   sizeof(w)),
                                  box_config_field_name(c, BOX_F_NET_VETH, NULL, other,
                                                        sizeof(other)));
                        errors++;
                }
                for (size_t j = 0; j < i; j++) {
                        const struct box_port *q = &n->ports[j];
                        if (p->protocol != q->protocol || p->host_port != q->host_port)
                                continue;
                        log_error("%s publishes host port %u like %s",
                                  box_config_where(c, BOX_F_PORT, p->name, p->origin.line, w,
                                                   sizeof(w)),
                                  (unsigned)p->host_port,
                                  box_config_field_name(c, BOX_F_PORT, q->name, other,
                                                        sizeof(other)));
                        errors++;
                }
        }
        return errors;
}

/* The [Network] rules, and its derived defaults: Bridge= and Zone= imply a veth; a machine box
 * without an explicit network gets a veth with NAT (as systemd-nspawn@.service does); any link
 * means a private network namespace. */
static unsigned check_network(struct box_config *c)
{
        char w[WHERE_MAX], other[256];
        struct box_net *n = &c->netcfg;
        unsigned errors = 0;
        bool explicit_net = c->field_line[BOX_F_NS_NET] > 0;

        if (n->bridge && n->zone) {
                log_error("%s cannot be combined with %s",
                          box_config_where(c, BOX_F_NET_ZONE, NULL, 0, w, sizeof(w)),
                          box_config_field_name(c, BOX_F_NET_BRIDGE, NULL, other, sizeof(other)));
                errors++;
        }
        if ((n->bridge || n->zone) && n->veth == BOX_NO) {
                log_error("%s=no conflicts with %s",
                          box_config_where(c, BOX_F_NET_VETH, NULL, 0, w, sizeof(w)),
                          box_config_field_name(c, n->zone ? BOX_F_NET_ZONE : BOX_F_NET_BRIDGE,
                                                NULL, other, sizeof(other)));
                errors++;
        }
        bool other_links = n->interfaces || n->macvlan || n->ipvlan;
        /* NamespacePath=: the network namespace is someone else's (CNI, podman, ip netns):
         * boxlaunch makes no links, rules or leases in it. */
        if (c->ns_join[BOX_NS_NET]) {
                bool veth = n->veth == BOX_YES || n->bridge || n->zone;
                if (veth || other_links || explicit_net) {
                        log_error("%s=%s cannot be combined with %s",
                                  box_config_where(c, BOX_F_NS_JOIN, NULL, 0, w, sizeof(w)),
                                  c->ns_join[BOX_NS_NET],
                                  box_config_field_name(c,
                                                        explicit_net    ? BOX_F_NS_NET
                                                        : veth          ? BOX_F_NET_VETH
                                                        : n->interfaces ? BOX_F_NET_INTERFACE
                                                        : n->macvlan    ? BOX_F_NET_MACVLAN
                                                                        : BOX_F_NET_IPVLAN,
                                                        NULL, other, sizeof(other)));
                        errors++;
                }
                /* Not cloned: the child joins it (launch/nsjoin.c). */
                c->net = BOX_NET_HOST;
                n->veth = BOX_NO;
        }
        if (n->veth == BOX_DEFAULT)
                n->veth = n->bridge || n->zone || (c->boot && !explicit_net && !other_links)
                                  ? BOX_YES
                                  : BOX_NO;
        bool links = n->veth == BOX_YES || other_links;
        if (links && c->net == BOX_NET_HOST) {
                if (explicit_net) {
                        log_error("%s=%s conflicts with the links of %s",
                                  box_config_where(c, BOX_F_NS_NET, NULL, 0, w, sizeof(w)),
                                  box_net_mode_names[c->net],
                                  box_config_field_name(c,
                                                        n->veth == BOX_YES ? BOX_F_NET_VETH
                                                        : n->interfaces    ? BOX_F_NET_INTERFACE
                                                        : n->macvlan       ? BOX_F_NET_MACVLAN
                                                                           : BOX_F_NET_IPVLAN,
                                                        NULL, other, sizeof(other)));
                        errors++;
                }
                c->net = BOX_NET_PRIVATE;
        }
        if (n->addresses && n->veth != BOX_YES) {
                log_error("%s needs a virtual Ethernet link (%s=yes, Bridge= or Zone=)",
                          box_config_where(c, BOX_F_NET_ADDRESS, NULL, 0, w, sizeof(w)),
                          box_config_field_name(c, BOX_F_NET_VETH, NULL, other, sizeof(other)));
                errors++;
        }
        if (n->masquerade == BOX_DEFAULT)
                n->masquerade = n->veth == BOX_YES ? BOX_YES : BOX_NO;
        return errors + check_ports(c);
}

int box_config_validate(struct box_config *c)
{
        /* Every problem is reported, not just the first; the network first, since it decides
         * whether the box has a network namespace of its own. */
        unsigned errors = check_network(c);
        errors += check_process(c) + check_items(c) + check_limits(c);
        if (errors)
                return -EINVAL;

        /* A machine box runs a whole distribution as root: give it its own id range unless the
         * file says otherwise (systemd-nspawn@.service does the same with -U). */
        if (c->userns == BOX_USERNS_DEFAULT)
                c->userns = c->boot ? BOX_USERNS_PICK : BOX_USERNS_NO;
        if (!c->hostname)
                c->hostname = xstrdup(c->name ? c->name : "box");
        if (!c->cwd)
                c->cwd = xstrdup("/");
        return 0;
}
