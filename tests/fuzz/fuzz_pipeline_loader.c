/* fuzz_pipeline_loader.c: arbitrary bytes as a pipeline file: load, validate, and plan them
 * against the built-in plugins. Must never crash, leak or hang; errors are fine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "runtime/loader.h"
#include "runtime/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static eddy_loader *loader;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loader) {
        loader = eddy_loader_new();
        eddy_loader_load_dir(loader, EDDY_FUZZ_PLUGIN_DIR);
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *defs[] = {"x=1"};
    eddy_graph_vars vars = {defs, 1};
    eddy_graph *g = NULL;
    char err[512];
    if (eddy_graph_load_string(text, "fuzz.json", &vars, &g, err, sizeof err) == 0) {
        eddy_buf out = {0};
        eddy_graph_save(g, &out);
        eddy_buf_free(&out);
        eddy_run_opts opts = {.quiet = true};
        eddy_pipeline *p = NULL;
        if (eddy_pipeline_new(g, loader, &opts, &p, err, sizeof err) == 0) {
            eddy_buf b = {0};
            eddy_explain_text(p, &b);
            eddy_explain_dot(p, &b);
            eddy_buf_free(&b);
            eddy_pipeline_destroy(p);
        }
        eddy_graph_destroy(g);
    }
    free(text);
    return 0;
}
