/* explain.c: renders a planned pipeline as text (one block per node, in topological order,
 * with its config and output schemas) or as a Graphviz dot graph. */
#include "runtime/internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void kind_label(eddy_buf *out, eddy_plugin_kind k)
{
    eddy_buf_puts(out, k == EDDY_PLUGIN_SOURCE      ? "[source]"
                       : k == EDDY_PLUGIN_SINK      ? "[sink]"
                       : k == EDDY_PLUGIN_TRANSFORM ? "[transform]"
                                                    : "[?]");
}

static void input_ref(eddy_buf *out, const eddy_graph_input *in)
{
    eddy_buf_puts(out, in->node);
    if (in->port) {
        eddy_buf_putc(out, '.');
        eddy_buf_puts(out, in->port);
    }
}

int eddy_explain_text(const eddy_pipeline *p, eddy_buf *out)
{
    const eddy_graph *g = p->graph;
    eddy_buf_printf(out, "Pipeline '%s' (%s): %d node%s\n", g->name, g->path, g->nnodes,
                    g->nnodes == 1 ? "" : "s");
    if (g->description)
        eddy_buf_printf(out, "%s\n", g->description);
    for (int i = 0; i < g->nnodes; i++) {
        int idx = g->order[i];
        const eddy_node *n = &p->nodes[idx];
        const eddy_graph_node *gn = n->gn;
        eddy_buf_putc(out, '\n');
        kind_label(out, n->plugin->desc.kind);
        eddy_buf_printf(out, " %s: %s", gn->id, gn->op);
        for (int k = 0; k < gn->ninputs; k++) {
            eddy_buf_puts(out, k ? ", " : " <- ");
            input_ref(out, &gn->inputs[k]);
        }
        eddy_buf_putc(out, '\n');
        if (gn->description)
            eddy_buf_printf(out, "    # %s\n", gn->description);
        for (const cJSON *c = gn->config->child; c; c = c->next) {
            char *v = cJSON_PrintUnformatted(c);
            eddy_buf_printf(out, "    %s: %s\n", c->string, v ? v : "?");
            free(v);
        }
        for (int k = 0; k < n->noutputs; k++) {
            const eddy_output *o = &n->outputs[k];
            if (o->name)
                eddy_buf_printf(out, "    out[%s]: ", o->name);
            else
                eddy_buf_puts(out, "    out: ");
            eddy_schema_format(o->schema, out);
            eddy_buf_putc(out, '\n');
        }
    }
    return 0;
}

static void dot_str(eddy_buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            eddy_buf_putc(out, '\\');
        if (*s == '\n') {
            eddy_buf_puts(out, "\\n");
            continue;
        }
        eddy_buf_putc(out, *s);
    }
}

int eddy_explain_dot(const eddy_pipeline *p, eddy_buf *out)
{
    const eddy_graph *g = p->graph;
    eddy_buf_puts(out, "digraph \"");
    dot_str(out, g->name);
    eddy_buf_puts(out, "\" {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for (int i = 0; i < g->nnodes; i++) {
        const eddy_node *n = &p->nodes[g->order[i]];
        eddy_buf_puts(out, "  \"");
        dot_str(out, n->gn->id);
        eddy_buf_puts(out, "\" [label=\"");
        dot_str(out, n->gn->id);
        eddy_buf_puts(out, "\\n");
        dot_str(out, n->gn->op);
        eddy_buf_puts(out, "\"");
        if (n->plugin->desc.kind == EDDY_PLUGIN_SOURCE)
            eddy_buf_puts(out, ", shape=invhouse");
        else if (n->plugin->desc.kind == EDDY_PLUGIN_SINK)
            eddy_buf_puts(out, ", shape=house");
        eddy_buf_puts(out, "];\n");
    }
    for (int i = 0; i < g->nnodes; i++) {
        const eddy_graph_node *gn = p->nodes[g->order[i]].gn;
        for (int k = 0; k < gn->ninputs; k++) {
            eddy_buf_puts(out, "  \"");
            dot_str(out, gn->inputs[k].node);
            eddy_buf_puts(out, "\" -> \"");
            dot_str(out, gn->id);
            eddy_buf_puts(out, "\"");
            if (gn->inputs[k].port) {
                eddy_buf_puts(out, " [label=\"");
                dot_str(out, gn->inputs[k].port);
                eddy_buf_puts(out, "\"]");
            }
            eddy_buf_puts(out, ";\n");
        }
    }
    eddy_buf_puts(out, "}\n");
    return 0;
}
