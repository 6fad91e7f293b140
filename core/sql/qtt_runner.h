/* qtt_runner.h: runs ksqlDB query-validation-test cases (/work/shared/qtt/README.md) against
 * the SQL engine (sql/engine.h) and judges them as ksqlDB's runner does; shared by `eddy qtt`
 * and `eddy test`. Not thread-safe (one run at a time; runs may fork). */
#ifndef EDDY_QTT_RUNNER_H
#define EDDY_QTT_RUNNER_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "util/jsondom.h"

typedef enum eddy_qtt_status { EDDY_QTT_PASS, EDDY_QTT_FAIL, EDDY_QTT_SKIP } eddy_qtt_status;

/* Where a failing run failed (`eddy test` maps these to exit codes). */
typedef enum eddy_qtt_stage {
    EDDY_QTT_STAGE_NONE,      /* passed or skipped */
    EDDY_QTT_STAGE_SETUP,     /* engine creation failed */
    EDDY_QTT_STAGE_STATEMENT, /* a statement was rejected (or an expected rejection missed) */
    EDDY_QTT_STAGE_INPUT,     /* producing an input failed */
    EDDY_QTT_STAGE_OUTPUT,    /* outputs differ */
    EDDY_QTT_STAGE_CRASH      /* the isolated run crashed, hung or died */
} eddy_qtt_stage;

/* One test record. Every pointer borrows from the JSON document the case was read from. */
typedef struct eddy_qtt_record {
    const char *topic;
    const eddy_json *key;     /* NULL: absent (a NULL key) */
    const eddy_json *value;   /* NULL: absent, same as JSON null (a tombstone) */
    bool has_timestamp;
    int64_t timestamp;
    const eddy_json *window;  /* {start, end, type}; NULL: not given (not checked) */
    const eddy_json *headers; /* [{KEY, VALUE}]; NULL: not given (not checked) */
} eddy_qtt_record;

/* One run: a case with one format/config variant applied. Strings are owned by the run (freed
 * by eddy_qtt_runs_free); records and `post` borrow from the case's document. */
typedef struct eddy_qtt_run {
    char *name;    /* "NAME", "NAME - FORMAT", "NAME - key=value" or "NAME - FORMAT - key=value" */
    char *variant; /* the part after NAME ("" without variants) */
    char **statements;
    size_t nstatements;
    char **props; /* NULL-terminated key, value, key, value ... */
    char **topic_formats; /* keyFormat/valueFormat of the declared `topics`, substituted */
    size_t ntopic_formats;
    eddy_qtt_record *inputs;
    size_t ninputs;
    eddy_qtt_record *outputs;
    size_t noutputs;
    bool expect_exception;
    char *exception_message; /* NULL: any message */
    const eddy_json *post;   /* NULL when absent */
} eddy_qtt_run;

/* Reads one record object ({topic, key?, value, timestamp?, window?, headers?}); unknown
 * members are ignored. EDDY_EPARSE with a message when a member has the wrong type. */
int eddy_qtt_record_read(const eddy_json *obj, eddy_qtt_record *out, char *errstr,
                         size_t errstr_size);

/* Expands the case object `c` into one run per `format` x `config` entry (one run when it
 * has neither): {FORMAT} replaced in the statements and the topics' formats, {CONFIG} in the
 * property values. *runs is malloc'ed (free with eddy_qtt_runs_free) and borrows from `c`'s
 * document, which must outlive it. EDDY_EPARSE when the case is malformed. */
int eddy_qtt_expand(const eddy_json *c, eddy_qtt_run **runs, size_t *nruns, char *errstr,
                    size_t errstr_size);
void eddy_qtt_runs_free(eddy_qtt_run *runs, size_t n); /* accepts NULL */

/* Why the run cannot be judged by eddy: it needs a key/value format eddy lacks (AVRO,
 * PROTOBUF, PROTOBUF_NOSR, JSON_SR, or any name other than JSON, KAFKA, DELIMITED, NONE,
 * except an unknown name in a case that expects the statement to be rejected). Looks at the
 * statements' FORMAT/KEY_FORMAT/VALUE_FORMAT, the ksql.persistence.default.format.*
 * properties and the declared topics. Writes the reason and returns true, else false. */
bool eddy_qtt_skip_reason(const eddy_qtt_run *r, char *why, size_t why_size);

/* Compares the expected records of one topic with the actual ones (`actual`: a JSON array of
 * {key, value, timestamp, headers, window} objects, as eddy_engine_topic_records writes it)
 * in order and in count. `schema` is the output source's schema as ksqlDB prints it
 * ("ID STRING KEY, DEC DECIMAL(6,4)"), or NULL when unknown; it tells DECIMAL (exact, scale
 * included, see eddy_qtt_values_equal) from DOUBLE (within 1e-6); with it, a struct (the
 * value, a multi-column key, a STRUCT column) is read as ksqlDB's harness reads the expected
 * one through the topic's deserializer: fields found by exact or upper-cased name, missing
 * ones null, unknown members dropped. `unwrapped`: the value is a single column written
 * without its wrapping object (WRAP_SINGLE_VALUE=false). Returns true when they match; else
 * writes the first difference (record index, field, expected vs actual) into `why`. */
bool eddy_qtt_compare_records(const eddy_qtt_record *expected, size_t nexpected,
                              const eddy_json *actual, const char *schema, bool unwrapped,
                              char *why, size_t why_size);

/* Compares two JSON values as the records' keys and values are compared. `type` is a ksqlDB
 * type ("DECIMAL(4,2)", "STRUCT<A DOUBLE>") or NULL when unknown. Rules:
 * - DECIMAL(p,s): the actual number must be written with scale s exactly and equal the
 *   expected value exactly (the expected lexeme's scale is not used: the QTT files' numbers
 *   were normalized to shortest float form, 12.30 became 12.3); an expected string against
 *   an actual number compares as decimals, scale included ("15.10" != 15.1);
 * - otherwise two integer lexemes compare exactly (any size), any other pair of numbers by
 *   value within 1e-6 (absolute), so an expected 1 matches a DOUBLE 1.0;
 * - objects (structs, maps) need the same member count and equal members, in any order;
 *   arrays equal element-wise; strings byte-wise; null only equals null. */
bool eddy_qtt_values_equal(const eddy_json *expected, const eddy_json *actual,
                           const char *type);

/* How the catalog compared with the case's post.sources (a bonus: never changes the status). */
typedef enum eddy_qtt_post {
    EDDY_QTT_POST_NONE,   /* not checked: no post.sources, or the run did not get that far */
    EDDY_QTT_POST_OK,     /* every expected source found with the same type/schema/formats */
    EDDY_QTT_POST_DIFFERS /* see post_reason */
} eddy_qtt_post;

/* The result of one run. */
typedef struct eddy_qtt_result {
    eddy_qtt_status status;
    eddy_qtt_stage stage;
    char reason[2048];
    eddy_qtt_post post;
    char post_reason[512];
} eddy_qtt_result;

/* Compares the expected `post.sources` array with the catalog (`actual`, a JSON array as
 * eddy_engine_sources writes it): every expected source must exist (name, case-insensitive)
 * with the same type, and, when the case gives them, the same schema (compared after
 * normalizing quoting, spacing and the type synonyms VARCHAR/STRING, INT/INTEGER) and key
 * and value formats. Returns true when they match; else writes the first difference. */
bool eddy_qtt_compare_sources(const eddy_json *expected, const eddy_json *actual, char *why,
                              size_t why_size);

/* Runs `r` in this process: eddy_engine_new with the properties, the statements in order
 * (expectedException judged on the first rejection), the inputs in order (an EDDY_EPARSE
 * rejection of one input is treated as ksqlDB treats a record it cannot deserialize: the
 * record is dropped), then the outputs of every topic named in `outputs`. Skips first when
 * eddy_qtt_skip_reason() says so. */
void eddy_qtt_run_case(const eddy_qtt_run *r, eddy_qtt_result *res);

/* Same, in a forked child limited to `timeout_s` seconds (<= 0: no limit): a crash is a FAIL
 * "crashed: signal N", a hang a FAIL "timed out after N s" (the child is killed), an exit
 * without a result a FAIL naming the exit status; the caller goes on. What the child prints
 * on stdout goes to stderr. */
void eddy_qtt_run_isolated(const eddy_qtt_run *r, int timeout_s, eddy_qtt_result *res);

/* eddy_qtt_run_isolated with another function in the child instead of eddy_qtt_run_case (the
 * tests use it to crash and hang on purpose). */
typedef void (*eddy_qtt_run_fn)(const eddy_qtt_run *r, eddy_qtt_result *res);
void eddy_qtt_run_isolated_with(const eddy_qtt_run *r, int timeout_s, eddy_qtt_run_fn fn,
                                eddy_qtt_result *res);

const char *eddy_qtt_status_name(eddy_qtt_status s); /* "PASS", "FAIL", "SKIP" */

/* Reads and parses the JSON file `path` (*doc owned by the caller). EDDY_EIO when it cannot be
 * read, EDDY_EPARSE ("path:LINE:COL: ...") when it is not JSON. */
int eddy_qtt_read_file(const char *path, eddy_json_doc **doc, char *errstr, size_t errstr_size);

/* Splits SQL text into statements at each ';' outside quotes and comments (`--`, block
 * comments); each statement is trimmed and keeps its ';'. *out is a malloc'ed array of
 * malloc'ed strings (free each, then the array). Returns 0 or EDDY_ENOMEM. */
int eddy_qtt_split_statements(const char *sql, char ***out, size_t *n);

#endif
