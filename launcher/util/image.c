/* image.c - this binary's own image, found through its program headers. */
#include "util/image.h"

#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

struct image {
        const void *build_id;
        size_t build_id_len;
        struct {
                uintptr_t start;
                size_t len;
        } code[2]; /* the executable PT_LOAD segments, page-aligned */
        size_t n_code;
};

static void note_build_id(struct image *img, const char *p, const char *end)
{
        while (p + sizeof(ElfW(Nhdr)) <= end) {
                const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
                const char *name = p + sizeof(*n);
                const char *desc = name + ((n->n_namesz + 3) & ~3U);
                if (desc + n->n_descsz > end)
                        return;
                if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
                    memcmp(name, "GNU", 4) == 0 && n->n_descsz > 0) {
                        img->build_id = desc;
                        img->build_id_len = n->n_descsz;
                        return;
                }
                p = desc + ((n->n_descsz + 3) & ~3U);
        }
}

static int scan(struct dl_phdr_info *info, size_t size, void *data)
{
        struct image *img = data;
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                const char *at = (const char *)(info->dlpi_addr + ph->p_vaddr);
                if (ph->p_type == PT_NOTE && !img->build_id)
                        note_build_id(img, at, at + ph->p_memsz);
                if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
                    img->n_code < ARRAY_SIZE(img->code)) {
                        uintptr_t start = (uintptr_t)at & ~(page - 1);
                        img->code[img->n_code].start = start;
                        img->code[img->n_code].len = (uintptr_t)at + ph->p_memsz - start;
                        img->n_code++;
                }
        }
        return 1; /* the first object is the executable: stop there */
}

/* Filled once, before the first fork: the box's first process uses it without a lookup. */
static struct image *image(void)
{
        static struct image img;
        static bool scanned;
        if (!scanned) {
                dl_iterate_phdr(scan, &img);
                scanned = true;
        }
        return &img;
}

int self_build_id(const void **ret, size_t *len)
{
        const struct image *img = image();
        if (!img->build_id)
                return -ENODATA;
        *ret = img->build_id;
        *len = img->build_id_len;
        return 0;
}

void image_prefault(void)
{
        const struct image *img = image();
        /* syscall(), which the child's clone3() just ran: madvise()'s page would be one more
         * fault before the call. */
        for (size_t i = 0; i < img->n_code; i++)
                (void)syscall(SYS_madvise, img->code[i].start, img->code[i].len,
                              MADV_POPULATE_READ);
}

#if defined(__x86_64__)
/* Set by image_prefault_early(): main() finds the code mapped already. */
static int mapped_early;

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

/* madvise() as one instruction: glibc's wrapper would set errno, which needs the thread pointer. */
static inline __attribute__((always_inline)) void early_madvise(uintptr_t start, uintptr_t end,
                                                                long advice)
{
        long r;
        start &= ~(uintptr_t)4095;
        end = (end + 4095) & ~(uintptr_t)4095;
        if (end <= start)
                return;
        __asm__ volatile("syscall"
                         : "=a"(r)
                         : "0"((long)SYS_madvise), "D"(start), "S"(end - start), "d"(advice)
                         : "rcx", "r11", "memory");
        (void)r;
}

__attribute__((used, no_stack_protector, no_instrument_function,
               no_sanitize("address", "undefined"))) void
image_prefault_early(void)
{
        const ElfW(Ehdr) *eh = &__ehdr_start;
        const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
        uintptr_t bias = 0;
        for (int i = 0; i < eh->e_phnum; i++)
                if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
                        bias = (uintptr_t)eh - ph[i].p_vaddr;
        for (int i = 0; i < eh->e_phnum; i++) {
                if (ph[i].p_type != PT_LOAD)
                        continue;
                uintptr_t start = bias + ph[i].p_vaddr;
                if (ph[i].p_flags & PF_W) /* its file part: relocated pointers and .data */
                        early_madvise(start, start + ph[i].p_filesz, MADV_POPULATE_WRITE);
                else if ((ph[i].p_flags & PF_X) || ph[i].p_offset == 0)
                        early_madvise(start, start + ph[i].p_memsz, MADV_POPULATE_READ);
                /* Not the constants' segment: a start reads it sparsely, and mapping all of it
                 * cost 0.2 ms more than the faults it saved (README "Performance"). */
        }
        mapped_early = 1;
}

/* The entry point (Makefile: -Wl,-e,boxlaunch_entry). The kernel's stack and %rdx (a dynamic
 * linker's finalizer, if any) reach _start as they came; %rbx and %r12 are callee-saved. */
__asm__(".text\n"
        ".globl boxlaunch_entry\n"
        ".type boxlaunch_entry, @function\n"
        "boxlaunch_entry:\n"
        "        endbr64\n"
        "        mov %rdx, %r12\n"
        "        mov %rsp, %rbx\n"
        "        and $-16, %rsp\n"
        "        call image_prefault_early\n"
        "        mov %rbx, %rsp\n"
        "        mov %r12, %rdx\n"
        "        jmp _start\n"
        ".size boxlaunch_entry, . - boxlaunch_entry\n");
#else
static const int mapped_early;
void image_prefault_early(void)
{
}
#endif

void image_prefault_main(void)
{
        if (!mapped_early)
                image_prefault();
}
