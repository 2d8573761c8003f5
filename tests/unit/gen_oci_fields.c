/* gen_oci_fields.c - writes docs/oci-fields.md from the field table (make docs/oci-fields.md);
 * tests/unit/test_oci_spec.c fails when the file differs. */
#include "frontend/oci/oci.h"

int main(void)
{
        oci_fields_markdown(stdout);
        return ferror(stdout) ? 1 : 0;
}
