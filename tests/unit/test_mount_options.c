/* test_mount_options.c - bind and overlay mounts show host directories: nosuid and nodev unless
 * Options= says suid / dev, and `check --show` keeps what was said. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frontend/box/box.h"
#include "core/config.h"

#include <sys/mount.h>

static unsigned long flags_of(const char *type, const char *options, struct box_config *c)
{
        _cleanup_free_ char *text =
                xasprintf("[Box]\nDirectory = /srv/root\n[Mount m]\nType = %s\n"
                          "%s\nTarget = /m\n%s%s%s",
                          type,
                          streq(type, "bind")      ? "Source = /srv/a"
                          : streq(type, "overlay") ? "LowerDirs = /srv/a"
                                                   : "",
                          options ? "Options = " : "", options ? options : "", options ? "\n" : "");
        box_config_init(c);
        assert_int_equal(box_file_load_buffer("/etc/boxlaunch/t.box", text, strlen(text), c), 0);
        assert_int_equal(box_config_validate(c), 0);
        return box_mount_flags(&c->mounts[0]);
}

static void test_defaults(void **state)
{
        struct box_config c;
        assert_int_equal(flags_of("bind", NULL, &c), MS_NOSUID | MS_NODEV);
        box_config_free(&c);
        assert_int_equal(flags_of("overlay", NULL, &c), MS_NOSUID | MS_NODEV);
        box_config_free(&c);
        assert_int_equal(flags_of("bind", "ro", &c), MS_RDONLY | MS_NOSUID | MS_NODEV);
        box_config_free(&c);
        /* "defaults" opts into nothing. */
        assert_int_equal(flags_of("bind", "defaults", &c), MS_NOSUID | MS_NODEV);
        box_config_free(&c);
        /* tmpfs keeps its own rules (always nosuid,nodev, added when mounting). */
        assert_int_equal(flags_of("tmpfs", NULL, &c), 0);
        box_config_free(&c);
}

static void test_dev_suid(void **state)
{
        struct box_config c;
        assert_int_equal(flags_of("bind", "dev", &c), MS_NOSUID);
        box_config_free(&c);
        assert_int_equal(flags_of("bind", "suid", &c), MS_NODEV);
        box_config_free(&c);
        assert_int_equal(flags_of("bind", "ro,dev,suid", &c), MS_RDONLY);
        box_config_free(&c);
        assert_int_equal(flags_of("overlay", "dev,suid", &c), 0);
        box_config_free(&c);
        /* The last word counts, as in libmount. */
        assert_int_equal(flags_of("bind", "dev,nodev", &c), MS_NOSUID | MS_NODEV);
        box_config_free(&c);
        assert_int_equal(flags_of("bind", "nosuid,suid,nodev,dev", &c), 0);
        box_config_free(&c);
}

static void test_show(void **state)
{
        struct box_config c, d;
        assert_int_equal(flags_of("bind", "ro,dev,suid", &c), MS_RDONLY);
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        box_file_show(&c, m);
        fclose(m);
        assert_non_null(strstr(out, "Options = ro,suid,dev,rbind\n"));
        box_config_init(&d);
        assert_int_equal(box_file_load_buffer("/etc/boxlaunch/t.box", out, len, &d), 0);
        assert_int_equal(box_config_validate(&d), 0);
        assert_int_equal(box_mount_flags(&d.mounts[0]), MS_RDONLY);
        free(out);
        box_config_free(&c);
        box_config_free(&d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_dev_suid),
                cmocka_unit_test(test_show),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
