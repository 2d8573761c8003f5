/* netsum.c - the network summary of a box (netsum.h). */
#include "launch/netsum.h"

#include "core/names.h"
#include "launch/net.h"
#include "util/json.h"

#include <json-c/json.h>

static struct json_object *summary(const struct box_config *c, const struct net_status *ns)
{
        const struct box_net *n = &c->netcfg;
        if (!ns->ifname[0] && !n->interfaces && !n->macvlan && !n->ipvlan)
                return NULL;
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "interface",
                               json_string_or_null(ns->ifname[0] ? ns->ifname : NULL));
        json_object_object_add(o, "zone", json_string_or_null(n->zone));
        json_object_object_add(o, "bridge", json_string_or_null(n->bridge));
        json_object_object_add(o, "address", json_string_or_null(ns->box4[0] ? ns->box4 : NULL));
        json_object_object_add(o, "gateway", json_string_or_null(ns->host4[0] ? ns->host4 : NULL));
        json_object_object_add(o, "address6", json_string_or_null(ns->box6[0] ? ns->box6 : NULL));
        struct json_object *moved = json_object_new_array();
        for (char **i = n->interfaces; i && *i; i++)
                json_object_array_add(moved, json_object_new_string(*i));
        json_object_object_add(o, "interfaces", moved);
        struct json_object *ports = json_object_new_array();
        for (size_t i = 0; i < n->n_ports; i++) {
                const struct box_port *p = &n->ports[i];
                struct json_object *q = json_object_new_object();
                json_object_object_add(q, "name", json_object_new_string(p->name));
                json_object_object_add(q, "protocol",
                                       json_object_new_string(box_net_proto_names[p->protocol]));
                json_object_object_add(q, "host_address", json_string_or_null(p->host_address));
                json_object_object_add(q, "host_port", json_object_new_int((int)p->host_port));
                json_object_object_add(
                        q, "box_port",
                        json_object_new_int((int)(p->box_port ? p->box_port : p->host_port)));
                json_object_array_add(ports, q);
        }
        json_object_object_add(o, "ports", ports);
        return o;
}

struct json_object *net_summary_json(const struct box_config *c)
{
        struct net_status ns;
        return c && net_status(c, &ns) == 0 ? summary(c, &ns) : NULL;
}

char *net_summary_line(const struct box_config *c, const struct net_status *ns)
{
        struct json_object *o = summary(c, ns);
        /* json-c's compact form escapes control characters: one line */
        char *s = xstrdup(json_object_to_json_string_ext(
                o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return s;
}
