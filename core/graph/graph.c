/* graph.c: pipeline graphs: JSON load/save, ${VAR} substitution, structural validation. */
#include "graph/graph.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

eddy_graph *eddy_graph_new(const char *name)
{
    eddy_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->name = xstrdup(name ? name : "pipeline");
    g->path = strdup("<string>");
    g->dir = strdup(".");
    g->settings = cJSON_CreateObject();
    return g;
}

void eddy_graph_destroy(eddy_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->nnodes; i++) {
        eddy_graph_node *n = &g->nodes[i];
        free(n->id);
        free(n->op);
        free(n->description);
        cJSON_Delete(n->config);
        for (int j = 0; j < n->ninputs; j++) {
            free(n->inputs[j].node);
            free(n->inputs[j].port);
        }
        free(n->inputs);
    }
    free(g->nodes);
    free(g->order);
    free(g->name);
    free(g->description);
    free(g->path);
    free(g->dir);
    cJSON_Delete(g->settings);
    free(g);
}

int eddy_graph_find(const eddy_graph *g, const char *id)
{
    for (int i = 0; i < g->nnodes; i++)
        if (strcmp(g->nodes[i].id, id) == 0)
            return i;
    return -1;
}

static int parse_input_ref(const char *ref, eddy_graph_input *in)
{
    const char *dot = strchr(ref, '.');
    in->from = -1;
    if (dot) {
        in->node = strndup(ref, (size_t)(dot - ref));
        in->port = strdup(dot + 1);
        return in->node && in->port ? 0 : EDDY_ENOMEM;
    }
    in->node = strdup(ref);
    in->port = NULL;
    return in->node ? 0 : EDDY_ENOMEM;
}

int eddy_graph_add_node(eddy_graph *g, const char *id, const char *op, cJSON *config,
                        const char *const *inputs, int ninputs)
{
    eddy_graph_node *nodes = realloc(g->nodes, (size_t)(g->nnodes + 1) * sizeof *nodes);
    if (!nodes) {
        cJSON_Delete(config);
        return EDDY_ENOMEM;
    }
    g->nodes = nodes;
    eddy_graph_node *n = &g->nodes[g->nnodes];
    memset(n, 0, sizeof *n);
    n->id = strdup(id);
    n->op = strdup(op);
    n->config = config ? config : cJSON_CreateObject();
    if (ninputs > 0) {
        n->inputs = calloc((size_t)ninputs, sizeof *n->inputs);
        if (!n->inputs)
            return EDDY_ENOMEM;
        for (int i = 0; i < ninputs; i++) {
            if (parse_input_ref(inputs[i], &n->inputs[i]))
                return EDDY_ENOMEM;
            n->ninputs++;
        }
    }
    return g->nnodes++;
}

/* ------------------------------------------------------------ variables */

static const char *var_lookup(const char *name, size_t len, const eddy_graph_vars *vars,
                              const cJSON *file_vars, char *tmp, size_t tmpsize)
{
    if (vars) {
        for (int i = vars->ndefs - 1; i >= 0; i--) {
            const char *d = vars->defs[i];
            const char *eq = strchr(d, '=');
            if (eq && (size_t)(eq - d) == len && strncmp(d, name, len) == 0)
                return eq + 1;
        }
    }
    snprintf(tmp, tmpsize, "%.*s", (int)len, name);
    const cJSON *v = file_vars ? cJSON_GetObjectItemCaseSensitive(file_vars, tmp) : NULL;
    if (cJSON_IsString(v))
        return v->valuestring;
    return getenv(tmp);
}

/* Replaces ${NAME} in every string of `j` (recursively). */
static int substitute(cJSON *j, const eddy_graph_vars *vars, const cJSON *file_vars,
                      const char *where, char *errstr, size_t errstr_size)
{
    if (cJSON_IsString(j) && strchr(j->valuestring, '$')) {
        eddy_buf out = {0};
        const char *s = j->valuestring;
        while (*s) {
            if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
                eddy_buf_puts(&out, "${");
                s += 3;
            } else if (s[0] == '$' && s[1] == '{') {
                const char *end = strchr(s + 2, '}');
                if (!end) {
                    eddy_buf_free(&out);
                    return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                       "%s: unterminated '${' in \"%s\"", where,
                                       j->valuestring);
                }
                char tmp[256];
                const char *v = var_lookup(s + 2, (size_t)(end - s - 2), vars, file_vars, tmp,
                                           sizeof tmp);
                if (!v) {
                    int len = (int)(end - s - 2);
                    eddy_buf_free(&out);
                    return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                       "%s: variable '%.*s' is not defined (use --define "
                                       "%.*s=VALUE, a \"vars\" entry or the environment)",
                                       where, len, s + 2, len, s + 2);
                }
                eddy_buf_puts(&out, v);
                s = end + 1;
            } else {
                eddy_buf_putc(&out, *s++);
            }
        }
        cJSON_SetValuestring(j, eddy_buf_cstr(&out));
        eddy_buf_free(&out);
        return 0;
    }
    for (cJSON *c = j->child; c; c = c->next) {
        int rc = substitute(c, vars, file_vars, where, errstr, errstr_size);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------- loading */

static void line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static bool only_keys(const cJSON *obj, const char *const *allowed, const char **bad)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(c->string, *a) == 0)
                ok = true;
        if (!ok) {
            *bad = c->string;
            return false;
        }
    }
    return true;
}

static int load_node(eddy_graph *g, const cJSON *jn, int index, const eddy_graph_vars *vars,
                     const cJSON *file_vars, char *errstr, size_t errstr_size)
{
    static const char *const keys[] = {"id", "op", "inputs", "config", "description", NULL};
    const char *path = g->path;
    if (!cJSON_IsObject(jn))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: nodes[%d]: a node must be a JSON object", path, index);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(jn, "id");
    if (!cJSON_IsString(id) || !*id->valuestring)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: nodes[%d]: field 'id' is missing or not a string", path, index);
    const char *nid = id->valuestring;
    const char *bad;
    if (!only_keys(jn, keys, &bad))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: node '%s': unknown field '%s' (expected id, op, inputs, config, "
                           "description)", path, nid, bad);
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(jn, "op");
    if (!cJSON_IsString(op) || !*op->valuestring)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: node '%s': field 'op' is missing or not a string", path, nid);
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(jn, "config");
    if (cfg && !cJSON_IsObject(cfg))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: node '%s': field 'config' must be a JSON object", path, nid);
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(jn, "inputs");
    int nin = 0;
    if (ins && cJSON_IsString(ins))
        nin = 1;
    else if (ins && cJSON_IsArray(ins))
        nin = cJSON_GetArraySize(ins);
    else if (ins)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: node '%s': field 'inputs' must be an array of node names", path,
                           nid);
    const char **refs = nin ? calloc((size_t)nin, sizeof *refs) : NULL;
    char **owned = nin ? calloc((size_t)nin, sizeof *owned) : NULL;
    int rc = 0;
    for (int i = 0; i < nin && rc == 0; i++) {
        const cJSON *e = cJSON_IsString(ins) ? ins : cJSON_GetArrayItem(ins, i);
        if (cJSON_IsString(e)) {
            refs[i] = e->valuestring;
        } else if (cJSON_IsObject(e) && cJSON_IsString(cJSON_GetObjectItem(e, "node"))) {
            const cJSON *pn = cJSON_GetObjectItem(e, "node"), *pp = cJSON_GetObjectItem(e, "port");
            char tmp[512];
            if (pp && cJSON_IsString(pp))
                snprintf(tmp, sizeof tmp, "%s.%s", pn->valuestring, pp->valuestring);
            else if (pp && cJSON_IsNumber(pp))
                snprintf(tmp, sizeof tmp, "%s.%d", pn->valuestring, pp->valueint);
            else
                snprintf(tmp, sizeof tmp, "%s", pn->valuestring);
            owned[i] = strdup(tmp);
            refs[i] = owned[i];
        } else {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "%s: node '%s': inputs[%d] must be \"node\", \"node.port\" or "
                             "{\"node\": ..., \"port\": ...}", path, nid, i);
        }
    }
    if (rc == 0) {
        cJSON *config = cfg ? cJSON_Duplicate(cfg, 1) : cJSON_CreateObject();
        char where[600];
        snprintf(where, sizeof where, "%s: node '%s': config", path, nid);
        rc = substitute(config, vars, file_vars, where, errstr, errstr_size);
        if (rc) {
            cJSON_Delete(config);
        } else {
            rc = eddy_graph_add_node(g, nid, op->valuestring, config, refs, nin);
            if (rc >= 0) {
                const cJSON *d = cJSON_GetObjectItemCaseSensitive(jn, "description");
                if (cJSON_IsString(d))
                    g->nodes[rc].description = strdup(d->valuestring);
                rc = 0;
            }
        }
    }
    for (int i = 0; i < nin; i++)
        free(owned[i]);
    free(owned);
    free(refs);
    return rc;
}

int eddy_graph_load_string(const char *text, const char *origin, const eddy_graph_vars *vars,
                           eddy_graph **out, char *errstr, size_t errstr_size)
{
    static const char *const keys[] = {"name", "description", "vars", "settings", "nodes",
                                       "$schema", NULL};
    *out = NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        int line, col;
        line_col(text, end ? end : text, &line, &col);
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                           "%s:%d:%d: invalid JSON in pipeline file", origin, line, col);
    }
    int rc = 0;
    const char *bad;
    if (!cJSON_IsObject(root)) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "%s: a pipeline file must be a JSON object", origin);
        goto done;
    }
    if (!only_keys(root, keys, &bad)) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "%s: unknown field '%s' (expected name, description, vars, settings, "
                         "nodes)", origin, bad);
        goto done;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (name && !cJSON_IsString(name)) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "%s: field 'name' must be a string",
                         origin);
        goto done;
    }
    const cJSON *fvars = cJSON_GetObjectItemCaseSensitive(root, "vars");
    if (fvars && !cJSON_IsObject(fvars)) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "%s: field 'vars' must be an object of strings", origin);
        goto done;
    }
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(root, "settings");
    if (settings && !cJSON_IsObject(settings)) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "%s: field 'settings' must be an object", origin);
        goto done;
    }
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) == 0) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "%s: field 'nodes' is missing or empty: a pipeline needs nodes", origin);
        goto done;
    }
    eddy_graph *g = eddy_graph_new(name ? name->valuestring : NULL);
    if (!g) {
        rc = EDDY_ENOMEM;
        goto done;
    }
    free(g->path);
    g->path = strdup(origin);
    free(g->dir);
    const char *slash = strrchr(origin, '/');
    g->dir = slash ? strndup(origin, (size_t)(slash - origin)) : strdup(".");
    if (!name) {
        /* Default name: the file's base name without extension. */
        const char *base = slash ? slash + 1 : origin;
        free(g->name);
        g->name = strndup(base, strcspn(base, "."));
    }
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (cJSON_IsString(desc))
        g->description = strdup(desc->valuestring);
    if (settings) {
        cJSON_Delete(g->settings);
        g->settings = cJSON_Duplicate(settings, 1);
        char where[512];
        snprintf(where, sizeof where, "%s: settings", origin);
        rc = substitute(g->settings, vars, fvars, where, errstr, errstr_size);
    }
    int i = 0;
    for (const cJSON *n = nodes->child; n && rc == 0; n = n->next, i++)
        rc = load_node(g, n, i, vars, fvars, errstr, errstr_size);
    if (rc == 0)
        rc = eddy_graph_validate(g, errstr, errstr_size);
    if (rc)
        eddy_graph_destroy(g);
    else
        *out = g;
done:
    cJSON_Delete(root);
    return rc;
}

int eddy_graph_load_file(const char *path, const eddy_graph_vars *vars, eddy_graph **out,
                         char *errstr, size_t errstr_size)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "%s: cannot open: %s", path,
                           strerror(errno));
    eddy_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        eddy_buf_append(&b, chunk, n);
    bool err = ferror(f);
    fclose(f);
    if (err) {
        eddy_buf_free(&b);
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "%s: read error", path);
    }
    int rc = eddy_graph_load_string(eddy_buf_cstr(&b), path, vars, out, errstr, errstr_size);
    eddy_buf_free(&b);
    return rc;
}

/* ----------------------------------------------------------- validation */

static bool valid_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

int eddy_graph_validate(eddy_graph *g, char *errstr, size_t errstr_size)
{
    const char *path = g->path;
    for (int i = 0; i < g->nnodes; i++) {
        eddy_graph_node *n = &g->nodes[i];
        if (!valid_id(n->id))
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: node '%s': invalid id (letters, digits, '_' and '-' only)",
                               path, n->id);
        for (int j = 0; j < i; j++)
            if (strcmp(g->nodes[j].id, n->id) == 0)
                return eddy_seterr(errstr, errstr_size, EDDY_EEXIST,
                                   "%s: node '%s': id used twice (nodes[%d] and nodes[%d])",
                                   path, n->id, j, i);
    }
    for (int i = 0; i < g->nnodes; i++) {
        eddy_graph_node *n = &g->nodes[i];
        for (int k = 0; k < n->ninputs; k++) {
            int from = eddy_graph_find(g, n->inputs[k].node);
            if (from < 0)
                return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                                   "%s: node '%s': input '%s' is not a node of this pipeline",
                                   path, n->id, n->inputs[k].node);
            if (from == i)
                return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                   "%s: node '%s': a node cannot be its own input", path, n->id);
            n->inputs[k].from = from;
        }
    }
    /* Kahn's algorithm; what is left over lies on a cycle. */
    size_t nn = g->nnodes > 0 ? (size_t)g->nnodes : 1;
    int *indeg = calloc(nn, sizeof *indeg);
    int *order = malloc(nn * sizeof *order);
    if (!indeg || !order) {
        free(indeg);
        free(order);
        return EDDY_ENOMEM;
    }
    for (int i = 0; i < g->nnodes; i++)
        indeg[i] = g->nodes[i].ninputs;
    int head = 0, tail = 0;
    for (int i = 0; i < g->nnodes; i++)
        if (indeg[i] == 0)
            order[tail++] = i;
    while (head < tail) {
        int u = order[head++];
        for (int v = 0; v < g->nnodes; v++)
            for (int k = 0; k < g->nodes[v].ninputs; k++)
                if (g->nodes[v].inputs[k].from == u && --indeg[v] == 0)
                    order[tail++] = v;
    }
    if (tail < g->nnodes) {
        eddy_buf cyc = {0};
        for (int i = 0; i < g->nnodes; i++)
            if (indeg[i] > 0)
                eddy_buf_printf(&cyc, "%s'%s'", cyc.len ? ", " : "", g->nodes[i].id);
        int rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "%s: the graph has a cycle through nodes %s", path,
                             eddy_buf_cstr(&cyc));
        eddy_buf_free(&cyc);
        free(indeg);
        free(order);
        return rc;
    }
    free(indeg);
    free(g->order);
    g->order = order;
    return 0;
}

/* --------------------------------------------------------------- saving */

/* Substitution already happened: a "${" left in a value was written "$${" in the file, so it
 * is written that way again, and reloading the saved file yields the same values. */
static void escape_vars(cJSON *j)
{
    if (cJSON_IsString(j) && strstr(j->valuestring, "${")) {
        eddy_buf out = {0};
        for (const char *s = j->valuestring; *s; s++) {
            if (s[0] == '$' && s[1] == '{')
                eddy_buf_putc(&out, '$');
            eddy_buf_putc(&out, *s);
        }
        cJSON_SetValuestring(j, eddy_buf_cstr(&out));
        eddy_buf_free(&out);
        return;
    }
    for (cJSON *c = j->child; c; c = c->next)
        escape_vars(c);
}

int eddy_graph_save(const eddy_graph *g, eddy_buf *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", g->name);
    if (g->description)
        cJSON_AddStringToObject(root, "description", g->description);
    if (g->settings && g->settings->child) {
        cJSON *settings = cJSON_Duplicate(g->settings, 1);
        escape_vars(settings);
        cJSON_AddItemToObject(root, "settings", settings);
    }
    cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
    for (int i = 0; i < g->nnodes; i++) {
        const eddy_graph_node *n = &g->nodes[i];
        cJSON *jn = cJSON_CreateObject();
        cJSON_AddStringToObject(jn, "id", n->id);
        cJSON_AddStringToObject(jn, "op", n->op);
        if (n->description)
            cJSON_AddStringToObject(jn, "description", n->description);
        if (n->ninputs) {
            cJSON *ins = cJSON_AddArrayToObject(jn, "inputs");
            for (int k = 0; k < n->ninputs; k++) {
                char ref[512];
                if (n->inputs[k].port)
                    snprintf(ref, sizeof ref, "%s.%s", n->inputs[k].node, n->inputs[k].port);
                else
                    snprintf(ref, sizeof ref, "%s", n->inputs[k].node);
                cJSON_AddItemToArray(ins, cJSON_CreateString(ref));
            }
        }
        cJSON *config = cJSON_Duplicate(n->config, 1);
        escape_vars(config);
        cJSON_AddItemToObject(jn, "config", config);
        cJSON_AddItemToArray(nodes, jn);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return EDDY_ENOMEM;
    int rc = eddy_buf_puts(out, text);
    if (rc == 0)
        rc = eddy_buf_putc(out, '\n');
    free(text);
    return rc;
}
