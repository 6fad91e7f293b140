/* engine.c: the SQL engine behind `eddy qtt` and `eddy test` (being built: statements are not
 * executed yet, so every case reports that). */
#include "sql/engine.h"

#include <stdlib.h>

struct eddy_engine {
    int unused;
};

int eddy_engine_new(const char *const *props, eddy_engine **out, char *errstr,
                    size_t errstr_size)
{
    (void)props;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
}

void eddy_engine_destroy(eddy_engine *e)
{
    free(e);
}

int eddy_engine_execute(eddy_engine *e, const char *sql, char *errstr, size_t errstr_size)
{
    (void)e;
    (void)sql;
    return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                       "SQL statements are not supported yet");
}

int eddy_engine_produce(eddy_engine *e, const char *topic, const eddy_engine_record *r,
                        char *errstr, size_t errstr_size)
{
    (void)e;
    (void)r;
    return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "no topic '%s'", topic);
}

int eddy_engine_topic_records(eddy_engine *e, const char *topic, eddy_buf *out)
{
    (void)e;
    (void)topic;
    (void)out;
    return EDDY_ENOTFOUND;
}

int eddy_engine_sources(eddy_engine *e, eddy_buf *out)
{
    (void)e;
    return eddy_buf_puts(out, "[]");
}
