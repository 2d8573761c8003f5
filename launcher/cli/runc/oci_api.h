/* oci_api.h - TEMPORARY until branch oci-front (frontend/oci/oci.h) is merged: its declared
 * API, with a weak stand-in (oci_stub.c) that reads BUNDLE/config.box through the .box
 * front-end, so the runtime's process model can be exercised before the OCI front-end lands. */
#pragma once
#include "core/config.h"

int oci_bundle_load(const char *bundle_dir, struct box_config *c);
