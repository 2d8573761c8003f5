/* launch/netsum.h - the network summary `list --json`, `status --json` and `stats --json`
 * show: the box's host-side interface, addresses and published ports. The launch writes it
 * into the state file's header (network=), so `list` reads it without parsing every box's
 * configuration. */
#pragma once
#include "core/config.h"

#include <json-c/json_object.h>

/* The summary of c's links beside loopback, or NULL (JSON null) when it has none. */
struct json_object *net_summary_json(const struct box_config *c);

struct net_status;
/* The same from a status known already (the launch's), as one line of compact JSON ("null"
 * when none), for the state file's header. Free it. */
char *net_summary_line(const struct box_config *c, const struct net_status *ns);
