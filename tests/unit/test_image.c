/* test_image.c - this binary's image: its build id, and its code mapped ahead in one call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_fork.h"
#include "util/image.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/wait.h>

static void test_build_id(void **state)
{
        const void *id;
        size_t len;
        /* The Makefile asks the linker for a SHA-1 id; the seccomp cache is keyed by it. */
        assert_int_equal(self_build_id(&id, &len), 0);
        assert_int_equal(len, 20);
        static const unsigned char zero[20];
        assert_memory_not_equal(id, zero, sizeof(zero));
}

struct range {
        uintptr_t start, end;
};

static uintptr_t page(void)
{
        return (uintptr_t)sysconf(_SC_PAGESIZE);
}

static int code_segment(struct dl_phdr_info *info, size_t size, void *data)
{
        struct range *r = data;
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
                        r->start = (info->dlpi_addr + ph->p_vaddr) & ~(page() - 1);
                        r->end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
                }
        }
        return 1;
}

/* Pages of [start, end) with a page-table entry (bit 63 of /proc/self/pagemap), or -1. */
static long present_pages(struct range r)
{
        int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        long n = 0;
        for (uintptr_t a = r.start; a < r.end; a += page()) {
                uint64_t e;
                if (pread(fd, &e, sizeof(e), (off_t)(a / page() * sizeof(e))) != sizeof(e)) {
                        n = -1;
                        break;
                }
                n += (long)(e >> 63);
        }
        close(fd);
        return n;
}

/* A fork copies no page-table entries of the code: the child starts with few and has all of
 * them after image_prefault(). */
static void test_prefault(void **state)
{
        struct range r = {0, 0};
        dl_iterate_phdr(code_segment, &r);
        assert_true(r.end > r.start);
        long total = (long)((r.end - r.start + page() - 1) / page());

        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                long before = present_pages(r);
                image_prefault();
                long after = present_pages(r);
                /* 0: all mapped after and not before; 1-3: what was wrong. */
                _exit(before < 0 || after < 0 ? 1 : after != total ? 2 : before == total ? 3 : 0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

struct readonly {
        struct range r[8]; /* the PT_LOAD segments without PF_W, cut at the unwind tables */
        size_t n;
};

static int readonly_segments(struct dl_phdr_info *info, size_t size, void *data)
{
        struct readonly *ro = data;
        uintptr_t unwind = 0;
        for (size_t i = 0; i < info->dlpi_phnum; i++)
                if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME)
                        unwind = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
        for (size_t i = 0; i < info->dlpi_phnum && ro->n < 8; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
                        continue;
                uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
                if (unwind > start && unwind < end)
                        end = unwind;
                ro->r[ro->n++] = (struct range){start & ~(page() - 1), end};
        }
        return 1;
}

/* The entry point's mapping: every read-only segment of the image (code, relocations,
 * constants; not the unwind tables) has all its pages after image_prefault_early(), in a fork,
 * which starts with few. */
static void test_prefault_early(void **state)
{
#if defined(__x86_64__)
        struct readonly ro = {0};
        dl_iterate_phdr(readonly_segments, &ro);
        assert_true(ro.n >= 2);
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                long before = 0, after = 0, total = 0;
                for (size_t i = 0; i < ro.n; i++) {
                        long p = present_pages(ro.r[i]);
                        before = p < 0 || before < 0 ? -1 : before + p;
                        total += (long)((ro.r[i].end - ro.r[i].start + page() - 1) / page());
                }
                image_prefault_early();
                for (size_t i = 0; i < ro.n; i++) {
                        long p = present_pages(ro.r[i]);
                        after = p < 0 || after < 0 ? -1 : after + p;
                }
                _exit(before < 0 || after < 0 ? 1 : after != total ? 2 : before == total ? 3 : 0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
#else
        skip();
#endif
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build_id),
                cmocka_unit_test(test_prefault),
                cmocka_unit_test(test_prefault_early),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
