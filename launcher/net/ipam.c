/* net/ipam.c - lease files under a runtime directory; see ipam.h. */
#include "net/ipam.h"

#include "util/log.h"
#include "net/siphash24.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* Any fixed key: the candidate only needs to be stable for a name. */
static const uint8_t ipam_key[16] = {0x62, 0x6f, 0x78, 0x6c, 0x61, 0x75, 0x6e, 0x63,
                                     0x68, 0x2d, 0x69, 0x70, 0x61, 0x6d, 0x2d, 0x31};

static unsigned addr_bits(const struct net_prefix *p)
{
        return p->family == AF_INET ? 32 : 128;
}

uint64_t ipam_slots(const struct ipam_pool *pool)
{
        const struct net_prefix *r = &pool->range;
        if (!r->family || pool->slot_plen < r->plen || pool->slot_plen > addr_bits(r))
                return 0;
        unsigned bits = pool->slot_plen - r->plen;
        return bits >= 32 ? (1ULL << 32) : (1ULL << bits);
}

static uint64_t usable_slots(const struct ipam_pool *pool)
{
        uint64_t n = ipam_slots(pool), skip = (uint64_t)pool->skip_first + pool->skip_last;
        return n > skip ? n - skip : 0;
}

/* Slot number i (0-based over the whole pool) as a prefix: the range's network address plus
 * i << (address bits - slot_plen), written bit by bit into the big-endian address. */
static void slot_prefix(const struct ipam_pool *pool, uint64_t i, struct net_prefix *ret)
{
        struct net_prefix p = pool->range;
        net_prefix_mask(&p);
        unsigned shift = addr_bits(&p) - pool->slot_plen;
        size_t len = net_prefix_addr_len(&p);
        for (unsigned b = 0; b < 64; b++) {
                unsigned bit = shift + b;
                if (!(i >> b & 1) || bit >= len * 8)
                        continue;
                p.addr.bytes[len - 1 - bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
        p.plen = (unsigned char)pool->slot_plen;
        *ret = p;
}

int ipam_candidate(const struct ipam_pool *pool, const char *owner, uint64_t attempt,
                   struct net_prefix *ret)
{
        uint64_t n = usable_slots(pool);
        if (n == 0)
                return -EINVAL;
        uint64_t h = siphash24(owner, strlen(owner), ipam_key);
        slot_prefix(pool, pool->skip_first + (h + attempt) % n, ret);
        return 0;
}

/* The pool's directory, locked; created only when a claim needs it. */
static int pool_dir_open(const struct ipam_pool *pool, bool create)
{
        int r;
        int fd = open(pool->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        /* Made once: a start that finds it does not walk its parents. */
        if (fd < 0 && errno == ENOENT && create) {
                if ((r = mkdir_p_at(AT_FDCWD, pool->dir, 0755)) < 0)
                        return r;
                fd = open(pool->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        }
        if (fd < 0)
                return negative_errno();
        if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0) {
                r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

static void lease_name(const struct net_prefix *slot, char *buf, size_t len)
{
        net_prefix_format(slot, false, buf, len);
}

/* The owner recorded in a lease: 0, -ENOENT if there is none, -EBADMSG if unreadable. */
static int lease_owner(int dfd, const char *name, char *buf, size_t len)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        ssize_t n = RETRY_EINTR(read(fd, buf, len - 1));
        if (n <= 1 || buf[n - 1] != '\n')
                return -EBADMSG;
        buf[n - 1] = 0;
        return 0;
}

/* Creates DIR/name holding "owner\n" atomically: -EEXIST if the name is taken. */
static int lease_create(int dfd, const char *name, const char *owner)
{
        _cleanup_free_ char *text = xasprintf("%s\n", owner);
        _cleanup_close_ int fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0) {
                int r = write_all(fd, text, strlen(text));
                if (r < 0)
                        return r;
                char proc[64];
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                if (linkat(AT_FDCWD, proc, dfd, name, AT_SYMLINK_FOLLOW) < 0)
                        return negative_errno();
                return 0;
        }
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return negative_errno();
        /* No O_TMPFILE on this file system: a named temporary, then link(2). */
        _cleanup_free_ char *tmp = xasprintf(".%s.%d.tmp", name, (int)getpid());
        fd = openat(dfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        int r = write_all(fd, text, strlen(text));
        if (r >= 0 && linkat(dfd, tmp, dfd, name, 0) < 0)
                r = negative_errno();
        unlinkat(dfd, tmp, 0);
        return r;
}

/* Claim one slot under the pool lock: 0 (ours now or already), -EEXIST (another owner's). */
static int claim_slot(int dfd, const struct net_prefix *slot, const char *owner)
{
        char name[NET_PREFIX_STRLEN], who[128];
        lease_name(slot, name, sizeof(name));
        int r = lease_create(dfd, name, owner);
        if (r != -EEXIST)
                return r;
        if (lease_owner(dfd, name, who, sizeof(who)) == 0 && streq(who, owner))
                return 0; /* left behind by this box's previous, killed supervisor */
        return -EEXIST;
}

static int lookup_locked(int dfd, const struct ipam_pool *pool, const char *owner,
                         struct net_prefix *ret);

int ipam_claim(const struct ipam_pool *pool, const char *owner, const struct net_prefix *in_use,
               size_t n_in_use, struct net_prefix *ret)
{
        uint64_t n = usable_slots(pool);
        if (n == 0 || !*owner)
                return -EINVAL;
        _cleanup_close_ int dfd = pool_dir_open(pool, true);
        if (dfd < 0)
                return dfd;

        /* A lease this owner already holds (its previous supervisor was killed) wins over the
         * hash, unless the host took that subnet meanwhile. */
        struct net_prefix cand;
        if (lookup_locked(dfd, pool, owner, &cand) == 0) {
                bool busy = false;
                for (size_t i = 0; i < n_in_use && !busy; i++)
                        busy = net_prefix_overlaps(&cand, &in_use[i]);
                if (!busy) {
                        *ret = cand;
                        return 0;
                }
        }
        for (uint64_t a = 0; a < n; a++) {
                int r = ipam_candidate(pool, owner, a, &cand);
                if (r < 0)
                        return r;
                bool busy = false;
                for (size_t i = 0; i < n_in_use && !busy; i++)
                        busy = net_prefix_overlaps(&cand, &in_use[i]);
                if (busy)
                        continue;
                r = claim_slot(dfd, &cand, owner);
                if (r == -EEXIST)
                        continue;
                if (r < 0)
                        return r;
                *ret = cand;
                return 0;
        }
        return -EADDRNOTAVAIL;
}

int ipam_claim_exact(const struct ipam_pool *pool, const char *owner, const struct net_prefix *slot)
{
        if (slot->family != pool->range.family || !net_prefix_contains(&pool->range, slot) ||
            !*owner)
                return -EINVAL;
        _cleanup_close_ int dfd = pool_dir_open(pool, true);
        if (dfd < 0)
                return dfd;
        struct net_prefix s = *slot;
        s.plen = (unsigned char)pool->slot_plen;
        net_prefix_mask(&s);
        int r = claim_slot(dfd, &s, owner);
        return r == -EEXIST ? -EADDRINUSE : r;
}

int ipam_release(const struct ipam_pool *pool, const char *owner, const struct net_prefix *slot)
{
        _cleanup_close_ int dfd = pool_dir_open(pool, false);
        if (dfd == -ENOENT)
                return 0;
        if (dfd < 0)
                return dfd;
        char name[NET_PREFIX_STRLEN], who[128];
        struct net_prefix s = *slot;
        s.plen = (unsigned char)pool->slot_plen;
        net_prefix_mask(&s);
        lease_name(&s, name, sizeof(name));
        int r = lease_owner(dfd, name, who, sizeof(who));
        if (r == -ENOENT)
                return 0;
        if (r < 0 || !streq(who, owner))
                return 0; /* not ours: leave it */
        return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
}

/* Calls f for every lease; f returns true to remove it. */
static int lease_walk(int dfd, bool (*f)(const char *name, int owner_r, const char *owner, void *u),
                      void *u)
{
        int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return negative_errno();
        _cleanup_dir_ DIR *d = fdopendir(dup_fd);
        if (!d) {
                close(dup_fd);
                return negative_errno();
        }
        rewinddir(d); /* the dup shares dfd's offset with earlier walks */
        int removed = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                struct net_prefix p;
                if (net_prefix_parse(de->d_name, &p) < 0)
                        continue; /* not a lease */
                char who[128];
                int r = lease_owner(dfd, de->d_name, who, sizeof(who));
                if (r == -ENOENT)
                        continue;
                if (f(de->d_name, r, r == 0 ? who : NULL, u)) {
                        if (unlinkat(dfd, de->d_name, 0) < 0 && errno != ENOENT)
                                return negative_errno();
                        removed++;
                }
        }
        return removed;
}

struct owner_match {
        const char *owner;
        struct net_prefix *found;
        int family;
        unsigned plen;
};

static bool match_owner(const char *name, int owner_r, const char *owner, void *u)
{
        struct owner_match *m = u;
        if (owner_r < 0 || !streq(owner, m->owner))
                return false;
        if (m->found) {
                if (net_prefix_parse(name, m->found) == 0)
                        m->found->plen = (unsigned char)m->plen;
                return false;
        }
        return true;
}

int ipam_release_owner(const struct ipam_pool *pool, const char *owner)
{
        _cleanup_close_ int dfd = pool_dir_open(pool, false);
        if (dfd < 0)
                return dfd == -ENOENT ? 0 : dfd;
        struct owner_match m = {.owner = owner};
        int r = lease_walk(dfd, match_owner, &m);
        return r < 0 ? r : 0;
}

static int lookup_locked(int dfd, const struct ipam_pool *pool, const char *owner,
                         struct net_prefix *ret)
{
        struct net_prefix found = {0};
        struct owner_match m = {.owner = owner, .found = &found, .plen = pool->slot_plen};
        int r = lease_walk(dfd, match_owner, &m);
        if (r < 0)
                return r;
        if (!found.family)
                return -ENOENT;
        *ret = found;
        return 0;
}

int ipam_lookup(const struct ipam_pool *pool, const char *owner, struct net_prefix *ret)
{
        _cleanup_close_ int dfd = pool_dir_open(pool, false);
        if (dfd < 0)
                return dfd;
        return lookup_locked(dfd, pool, owner, ret);
}

struct gc_ctx {
        ipam_running_t running;
        void *userdata;
};

static bool gc_one(const char *name, int owner_r, const char *owner, void *u)
{
        struct gc_ctx *g = u;
        if (owner_r < 0)
                return true; /* empty or foreign content: no box can claim it back */
        if (g->running(owner, g->userdata))
                return false;
        log_debug("network: dropping lease %s of %s, which is not running", name, owner);
        return true;
}

int ipam_gc(const struct ipam_pool *pool, ipam_running_t running, void *userdata)
{
        _cleanup_close_ int dfd = pool_dir_open(pool, false);
        if (dfd < 0)
                return dfd == -ENOENT ? 0 : dfd;
        struct gc_ctx g = {running, userdata};
        return lease_walk(dfd, gc_one, &g);
}

void ipam_slot_host(const struct net_prefix *slot, uint64_t n, struct net_prefix *ret)
{
        *ret = *slot;
        net_prefix_mask(ret);
        net_prefix_add(ret, n);
}

int ipam_v6_prefix(const struct net_prefix *ula, const struct net_prefix *v4slot,
                   struct net_prefix *ret)
{
        if (ula->family != AF_INET6 || ula->plen > 16 || v4slot->family != AF_INET)
                return -EINVAL;
        struct net_prefix v4 = *v4slot;
        net_prefix_mask(&v4);
        *ret = *ula;
        ret->plen = 16;
        net_prefix_mask(ret);
        memcpy(ret->addr.bytes + 2, v4.addr.bytes, 4);
        ret->plen = 64;
        return 0;
}
