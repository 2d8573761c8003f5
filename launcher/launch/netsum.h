/* launch/netsum.h - the network summary `list --json`, `status --json` and `stats --json`
 * show: the box's host-side interface, addresses and published ports. The launch writes it
 * into the state file's header (network=), so `list` reads it without parsing every box's
 * configuration. */
#pragma once
#include "core/config.h"

#include <json-c/json_object.h>

/* The summary of c's links beside loopback, or NULL (JSON null) when it has none. */
struct json_object *net_summary_json(const struct box_config *c);

/* The same as one line of compact JSON ("null" when none), for the state file's header;
 * NULL if it cannot be told (the reader then parses the configuration). Free it. */
char *net_summary_line(const struct box_config *c);
