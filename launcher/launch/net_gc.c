/* launch/net_gc.c - removing networks: net_release(), and gc of what dead supervisors left. */
#include "launch/net_internal.h"

#include "core/state.h"
#include "net/names.h"
#include "net/netlink.h"
#include "net/nft.h"
#include "util/log.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>

/* ---- the end -------------------------------------------------------------------------------- */

struct zone_use {
        int bridge;
        const char *self; /* our own link, whose namespace may still be dying */
        bool used;
};

static int zone_member(const struct rtn_link_info *l, void *userdata)
{
        struct zone_use *z = userdata;
        if (l->master != z->bridge || streq(l->name, z->self))
                return 0;
        /* A box's link counts while its box runs; anything else (the admin's) always does. */
        if (strncmp(l->alias, LINK_ALIAS, strlen(LINK_ALIAS)) != 0 ||
            box_running(l->alias + strlen(LINK_ALIAS), NULL))
                z->used = true;
        return 0;
}

static int copy_alias(const struct rtn_link_info *l, void *userdata)
{
        snprintf(userdata, 512, "%s", l->alias);
        return 0;
}

/* The zone's bridge and lease go with its last box; under the zone lock. */
static void zone_release(struct rtn_ctx *host, const char *zone, const char *self, FILE *out,
                         unsigned *removed)
{
        char br[IFNAMSIZ];
        if (net_zone_ifname(zone, br) < 0)
                return;
        _cleanup_close_ int lock = zone_lock(zone);
        struct zone_use z = {.bridge = rtn_link_index(host, br), .self = self};
        if (z.bridge > 0 && rtn_link_dump(host, zone_member, &z) < 0)
                return;
        if (z.used)
                return;
        /* Only a bridge this runtime directory made. */
        char alias[512] = "";
        if (z.bridge > 0 && rtn_link_get(host, br, copy_alias, alias) < 0)
                return;
        char buf[256];
        if (z.bridge > 0 && (strncmp(alias, ZONE_ALIAS, strlen(ZONE_ALIAS)) != 0 ||
                             !our_name(alias + strlen(ZONE_ALIAS), buf, sizeof(buf))))
                return;
        if (z.bridge > 0 && rtn_link_del(host, z.bridge) == 0 && out) {
                fprintf(out, "removed bridge %s\n", br);
                (*removed)++;
        }
        _cleanup_free_ char *dir = NULL;
        struct ipam_pool pool;
        zone_pool(&pool, &dir);
        (void)ipam_release_owner(&pool, zone);
}

static void release_leases(const char *name, const char *zone)
{
        _cleanup_free_ char *dir = NULL, *mdir = NULL;
        struct ipam_pool pool, members;
        box_pool(&pool, &dir);
        (void)ipam_release_owner(&pool, name);
        if (!zone)
                return;
        struct net_prefix zslot;
        _cleanup_free_ char *zdir = NULL;
        zone_pool(&pool, &zdir);
        if (ipam_lookup(&pool, zone, &zslot) < 0)
                return;
        member_pool(zone, &zslot, &members, &mdir);
        (void)ipam_release_owner(&members, name);
}

/* Interface= links go back to the host before the namespace dies (virtual ones would be
 * destroyed with it). */
static void move_back(struct launch_net *n)
{
        _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        _cleanup_rtn_ struct rtn_ctx *box = NULL;
        if (self < 0 || rtn_open_in_netns(n->netns, &box) < 0) {
                log_warn("network: cannot move the box's interfaces back to the host");
                return;
        }
        for (char **i = n->moved; *i; i++) {
                int idx = rtn_link_index(box, *i);
                int r = idx < 0 ? idx : rtn_link_move(box, idx, self, NULL);
                if (r < 0)
                        log_warn_errno(r, "network: moving %s back to the host", *i);
        }
}

bool net_needs_release(const struct launch_net *n)
{
        return n->veth || n->moved || n->leased || n->zone_member || n->table || n->host ||
               n->nft || n->zone_lock >= 0 || n->resolv_path || n->network_path || n->early;
}

void net_release(const struct box_config *c, struct launch_net *n)
{
        (void)net_early_join(n); /* its error was reported, or is now moot */
        if (n->moved)
                move_back(n);
        strv_free(n->moved);
        n->moved = NULL;
        closep(&n->zone_lock);
        n->zone_lock = -1;
        if (n->nft && n->table)
                (void)nft_box_remove(n->nft, c->name); /* an error path: not dropped yet */
        n->table = false;
        if (n->leased) {
                /* Our own lease, known by its name: no walk of the pool. */
                _cleanup_free_ char *dir = NULL;
                struct ipam_pool pool;
                box_pool(&pool, &dir);
                (void)ipam_release(&pool, c->name, &n->subnet4);
        } else if (n->zone_member)
                release_leases(c->name, c->netcfg.zone);
        n->leased = n->zone_member = false;
        if (n->host && c->netcfg.zone)
                zone_release(n->host, c->netcfg.zone, n->ifname, NULL, NULL);
        if (n->host) {
                rtn_close(n->host);
                n->host = NULL;
        }
        if (n->resolv_path)
                (void)unlink(n->resolv_path);
        if (n->network_path)
                (void)unlink(n->network_path);
        free(n->resolv_path);
        free(n->network_path);
        free(n->resolv_src);
        free(n->network_src);
        free(n->resolv_host);
        n->resolv_host = NULL;
        n->resolv_path = n->network_path = n->resolv_src = n->network_src = NULL;
        closep(&n->resolv_fd);
        closep(&n->network_fd);
        n->resolv_fd = n->network_fd = -1;
        /* Last: closing the socket waits for the kernel to finish the table's removal (an RCU
         * grace period, which the work above let pass), and only then may the box's namespace,
         * with its hooks anchor (nft.h), go. */
        nft_handle_free(n->nft);
        n->nft = NULL;
        closep(&n->netns);
        n->netns = -1;
}

/* ---- gc ------------------------------------------------------------------------------------- */

/* Only the box `userdata` is not running. */
static bool is_name(const char *rest, void *userdata)
{
        char buf[256];
        const char *name = our_name(rest, buf, sizeof(buf));
        return !name || !streq(name, userdata);
}

static void count(FILE *out, unsigned *removed, int k, const char *what, const char *where)
{
        if (k <= 0)
                return;
        fprintf(out, "removed %d %s%s%s%s\n", k, what, k == 1 ? "" : "s", where ? " in zone " : "",
                where ? where : "");
        *removed += (unsigned)k;
}

/* The member leases of every zone of this runtime directory whose boxes do not run, and the
 * bridges of zones left empty. */
static void gc_zones(struct rtn_ctx *host, bool (*running)(const char *, void *), void *ud,
                     FILE *out, unsigned *removed)
{
        _cleanup_free_ char *base = net_dir("");
        _cleanup_dir_ DIR *d = opendir(base);
        for (struct dirent *e; d && (e = readdir(d));) {
                size_t len = strlen(e->d_name);
                if (strncmp(e->d_name, "zone-", 5) != 0 ||
                    (len > 5 && streq(e->d_name + len - 5, ".lock")))
                        continue;
                const char *zone = e->d_name + 5;
                _cleanup_free_ char *mdir = xasprintf("%s%s", base, e->d_name), *zdir = NULL;
                struct ipam_pool zones, members;
                struct net_prefix zslot;
                zone_pool(&zones, &zdir);
                if (ipam_lookup(&zones, zone, &zslot) < 0)
                        continue;
                members = (struct ipam_pool){.dir = mdir,
                                             .range = zslot,
                                             .slot_plen = 32,
                                             .skip_first = 2,
                                             .skip_last = 1};
                count(out, removed, ipam_gc(&members, running, ud), "address lease", zone);
                zone_release(host, zone, "", out, removed);
        }
}

/* What box `name` (not running; its state lock held by the caller, or it has no state file)
 * left: its links, its table, its leases, its files, its zone's bridge if the zone is empty. */
static int gc_one(struct rtn_ctx *host, const char *name, FILE *out, unsigned *removed)
{
        int ret = 0;
        count(out, removed, rtn_gc_links(host, LINK_ALIAS, is_name, (void *)name), "network link",
              NULL);
        _cleanup_free_ char *dir = NULL;
        struct ipam_pool pool;
        box_pool(&pool, &dir);
        count(out, removed, ipam_gc(&pool, is_name, (void *)name), "address lease", NULL);
        gc_zones(host, is_name, (void *)name, out, removed);
        /* Its table. */
        struct nft_handle *nft = NULL;
        if (nft_handle_new(&nft) == 0) {
                int r = nft_table_exists(nft, name);
                if (r > 0 && (r = nft_box_remove(nft, name)) == 0)
                        count(out, removed, 1, "firewall table", NULL);
                if (r < 0)
                        ret = r;
                nft_handle_free(nft);
        }
        /* Its files: NAME.PID.* whose supervisor is gone. A killed one releases the box's lock
         * (with its files) before its parent reaps it: a zombie is gone too. */
        _cleanup_dir_ DIR *fd = opendir(NET_FILES_DIR);
        size_t nl = strlen(name);
        for (struct dirent *e; fd && (e = readdir(fd));) {
                if (strncmp(e->d_name, name, nl) != 0 || e->d_name[nl] != '.')
                        continue;
                int pid = atoi(e->d_name + nl + 1);
                struct proc_stat st;
                int r = pid > 0 ? proc_stat(pid, &st) : -EINVAL;
                /* ESRCH: it went between the open and the read. */
                if (r == -ENOENT || r == -ESRCH || (r == 0 && (st.state == 'Z' || st.state == 'X')))
                        (void)unlinkat(dirfd(fd), e->d_name, 0);
        }
        return ret;
}

static int gc(const char *only, FILE *out, unsigned *removed)
{
        _cleanup_rtn_ struct rtn_ctx *host = NULL;
        int r = rtn_open(&host);
        if (r < 0)
                return log_error_errno(r, "gc: opening rtnetlink");
        if (only)
                return gc_one(host, only, out, removed);
        /* Boxes that hold a lease here but no longer run (their state file gone already). */
        _cleanup_free_ char *dir = net_dir("boxes");
        _cleanup_dir_ DIR *d = opendir(dir);
        int ret = 0;
        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *owner = NULL, *path = xasprintf("%s/%s", dir, e->d_name);
                if (read_file_at(AT_FDCWD, path, &owner, 256) < 0)
                        continue;
                owner[strcspn(owner, "\n")] = 0;
                if (box_name_valid(owner) && !state_is_running(owner) &&
                    gc_one(host, owner, out, removed) < 0)
                        ret = -EIO;
        }
        gc_zones(host, box_running, NULL, out, removed);
        return ret;
}

int net_gc_box(const char *name, FILE *out, unsigned *removed)
{
        return gc(name, out, removed);
}

int net_gc_all(FILE *out, unsigned *removed)
{
        return gc(NULL, out, removed);
}
