/* catalog.c: the metastore of streams and tables. */
#include "sql/catalog.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct eddy_catalog {
    eddy_source **v;
    size_t n, cap;
};

eddy_catalog *eddy_catalog_new(void)
{
    return calloc(1, sizeof(eddy_catalog));
}

void eddy_source_free(eddy_source *s)
{
    if (!s)
        return;
    free(s->name);
    eddy_schema_release(s->schema);
    free(s->topic);
    free(s->key_format);
    free(s->value_format);
    free(s->key_delimiter);
    free(s->value_delimiter);
    free(s->timestamp);
    free(s->timestamp_format);
    free(s->query_id);
    free(s->window_type);
    free(s);
}

void eddy_catalog_destroy(eddy_catalog *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        eddy_source_free(c->v[i]);
    free(c->v);
    free(c);
}

eddy_source *eddy_catalog_find(const eddy_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i]->name, name) == 0)
            return c->v[i];
    return NULL;
}

eddy_source *eddy_catalog_find_topic(const eddy_catalog *c, const char *topic)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i]->topic, topic) == 0)
            return c->v[i];
    return NULL;
}

int eddy_catalog_add(eddy_catalog *c, eddy_source *s)
{
    if (eddy_catalog_find(c, s->name))
        return EDDY_EEXIST;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        eddy_source **v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return EDDY_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = s;
    return 0;
}

int eddy_catalog_remove(eddy_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i]->name, name) == 0) {
            eddy_source_free(c->v[i]);
            memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof *c->v);
            c->n--;
            return 0;
        }
    }
    return EDDY_ENOTFOUND;
}

size_t eddy_catalog_count(const eddy_catalog *c) { return c->n; }

eddy_source *eddy_catalog_get(const eddy_catalog *c, size_t i)
{
    return i < c->n ? c->v[i] : NULL;
}

int eddy_catalog_format_json(const eddy_catalog *c, eddy_buf *out)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < c->n; i++) {
        const eddy_source *s = c->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", s->name);
        cJSON_AddStringToObject(o, "type", s->kind == EDDY_SOURCE_TABLE ? "TABLE" : "STREAM");
        eddy_buf schema = {0};
        eddy_schema_format(s->schema, &schema);
        cJSON_AddStringToObject(o, "schema", eddy_buf_cstr(&schema));
        eddy_buf_free(&schema);
        cJSON_AddStringToObject(o, "keyFormat", s->key_format);
        cJSON_AddStringToObject(o, "valueFormat", s->value_format);
        if (s->wrap_single == 0) /* WRAP_SINGLE_VALUE=false, as ksqlDB lists it */
            cJSON_AddItemToObject(o, "valueFeatures",
                                  cJSON_CreateStringArray((const char *[]){"UNWRAP_SINGLES"}, 1));
        cJSON_AddStringToObject(o, "topic", s->topic);
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (!text)
        return EDDY_ENOMEM;
    int rc = eddy_buf_puts(out, text);
    free(text);
    return rc;
}
