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

struct mapped {
        struct range r[8]; /* the PT_LOAD segments image_prefault_early() maps */
        size_t n;
};

/* The code and the first segment (headers, relocation table); not the constants, not data. */
static int early_segments(struct dl_phdr_info *info, size_t size, void *data)
{
        struct mapped *m = data;
        for (size_t i = 0; i < info->dlpi_phnum && m->n < 8; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) ||
                    !((ph->p_flags & PF_X) || ph->p_offset == 0))
                        continue;
                uintptr_t start = info->dlpi_addr + ph->p_vaddr;
                m->r[m->n++] = (struct range){start & ~(page() - 1), start + ph->p_memsz};
        }
        return 1;
}

/* The entry point's mapping: the code and the relocation table's segment have all their pages
 * after image_prefault_early(), in a fork, which starts with few. */
static void test_prefault_early(void **state)
{
#if defined(__x86_64__)
        struct mapped m = {0};
        dl_iterate_phdr(early_segments, &m);
        assert_true(m.n >= 2);
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                long before = 0, after = 0, total = 0;
                for (size_t i = 0; i < m.n; i++) {
                        long p = present_pages(m.r[i]);
                        before = p < 0 || before < 0 ? -1 : before + p;
                        total += (long)((m.r[i].end - m.r[i].start + page() - 1) / page());
                }
                image_prefault_early();
                for (size_t i = 0; i < m.n; i++) {
                        long p = present_pages(m.r[i]);
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
