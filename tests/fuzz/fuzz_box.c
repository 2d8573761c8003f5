/* fuzz_box.c - libFuzzer target over the .box front-end: load, validate, show, the state format's
 * round trip, free. */
#include "frontend/box/box.h"
#include "core/config.h"
#include "core/config_json.h"
#include "util/log.h"

#include <stdint.h>

static void null_sink(enum log_level l, const char *line, void *userdata)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        log_set_sink(null_sink, NULL);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct box_config c;

        box_config_init(&c);
        if (box_file_load_buffer("fuzz.box", (const char *)data, size, &c) == 0 &&
            box_config_validate(&c) == 0) {
                FILE *f = fopen("/dev/null", "we");
                if (f) {
                        box_file_show(&c, f);
                        fclose(f);
                }
                /* The state format keeps every field: its text survives a round trip. */
                char *text = box_config_to_json_string(&c);
                struct box_config back;
                box_config_init(&back);
                if (box_config_from_json_string(text, "fuzz.json", &back) < 0)
                        abort();
                char *again = box_config_to_json_string(&back);
                if (!streq(text, again))
                        abort();
                free(again);
                free(text);
                box_config_free(&back);
        }
        box_config_free(&c);
        return 0;
}
