/* graph.h: the pipeline graph: nodes (id, op, config) and the edges between them, loaded from
 * and saved to JSON pipeline files (docs/pipeline-format.md), checked for structure (unique
 * ids, known inputs, no cycle) before anything runs. Plugin-level checks (config keys, types
 * along edges) belong to the runtime's plan step (runtime/pipeline.h). */
#ifndef EDDY_GRAPH_H
#define EDDY_GRAPH_H

#include "eddy/common.h"
#include "eddy/arena.h"

struct cJSON;

/* An edge into a node: the upstream node and its output port (a name, or NULL for port 0). */
typedef struct eddy_graph_input {
    char *node;
    char *port;   /* NULL: the default (first) port */
    int from;     /* index of the upstream node, set by validation */
} eddy_graph_input;

typedef struct eddy_graph_node {
    char *id;
    char *op;
    char *description;      /* optional free text */
    struct cJSON *config;   /* a JSON object (never NULL; owned), ${VAR}s already replaced */
    eddy_graph_input *inputs;
    int ninputs;
} eddy_graph_node;

typedef struct eddy_graph {
    char *name;
    char *description;
    char *path;             /* file it came from, or "<string>" */
    char *dir;              /* directory of `path` ("." for strings) */
    struct cJSON *settings; /* pipeline-level settings object (never NULL; owned) */
    eddy_graph_node *nodes;
    int nnodes;
    int *order;             /* topological order of node indexes (inputs first) */
} eddy_graph;

/* Variables for ${NAME} substitution in string values of node configs: looked up in `vars`
 * (NAME=value strings, later ones win), then the file's "vars" object (defaults), then the
 * environment. An unresolved ${NAME} is an error; "$${" escapes a literal "${". */
typedef struct eddy_graph_vars {
    const char *const *defs; /* "NAME=value" */
    int ndefs;
} eddy_graph_vars;

/* Loads and structurally validates a pipeline file. Errors name the file, the node and the
 * field: "p.json: node 'poor': input 'ratngs' is not a node of this pipeline". JSON syntax
 * errors give line:column. */
int eddy_graph_load_file(const char *path, const eddy_graph_vars *vars, eddy_graph **out,
                         char *errstr, size_t errstr_size);
/* The same from text; `origin` names it in messages (a file name or "<string>"). */
int eddy_graph_load_string(const char *text, const char *origin, const eddy_graph_vars *vars,
                           eddy_graph **out, char *errstr, size_t errstr_size);
/* Builds an empty graph (for the SQL planner, which adds nodes programmatically). */
eddy_graph *eddy_graph_new(const char *name);
/* Adds a node; takes ownership of `config` (a cJSON object, or NULL for {}). Inputs are
 * "node" or "node.port". Returns the node index or a negative code. */
int eddy_graph_add_node(eddy_graph *g, const char *id, const char *op, struct cJSON *config,
                        const char *const *inputs, int ninputs);
/* Checks ids, inputs and acyclicity and computes `order`. Called by the loaders. */
int eddy_graph_validate(eddy_graph *g, char *errstr, size_t errstr_size);
int eddy_graph_find(const eddy_graph *g, const char *id);
/* Writes the pipeline file for `g` (pretty-printed JSON), loadable by eddy_graph_load_*. */
int eddy_graph_save(const eddy_graph *g, eddy_buf *out);
void eddy_graph_destroy(eddy_graph *g); /* accepts NULL */

#endif
