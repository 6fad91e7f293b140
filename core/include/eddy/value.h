/* value.h: ksqlDB's SQL types, the values that carry them, and their semantics
 * (comparison, hashing, equality, implicit coercion, rendering). */
#ifndef EDDY_VALUE_H
#define EDDY_VALUE_H

#include "eddy/common.h"
#include "eddy/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- types */

typedef enum eddy_type_id {
    EDDY_TYPE_BOOLEAN = 1,
    EDDY_TYPE_INT,       /* 32-bit signed */
    EDDY_TYPE_BIGINT,    /* 64-bit signed */
    EDDY_TYPE_DOUBLE,    /* IEEE 754 binary64 */
    EDDY_TYPE_DECIMAL,   /* exact, precision 1..38, scale 0..precision */
    EDDY_TYPE_STRING,    /* UTF-8 */
    EDDY_TYPE_BYTES,
    EDDY_TYPE_DATE,      /* days since 1970-01-01 */
    EDDY_TYPE_TIME,      /* milliseconds since midnight, 0..86399999 */
    EDDY_TYPE_TIMESTAMP, /* milliseconds since the epoch, UTC */
    EDDY_TYPE_ARRAY,
    EDDY_TYPE_MAP,
    EDDY_TYPE_STRUCT
} eddy_type_id;

#define EDDY_DECIMAL_MAX_PRECISION 38

typedef struct eddy_type eddy_type;

typedef struct eddy_field {
    const char *name; /* as the column or field is named: unquoted SQL identifiers are upper case */
    const eddy_type *type;
} eddy_field;

/* A type is immutable and interned: two equal types are the same pointer, so `a == b` is type
 * equality. Types live until eddy_types_shutdown() (process lifetime); never free one.
 * Constructors are thread-safe. */
struct eddy_type {
    eddy_type_id id;
    uint8_t precision, scale;  /* DECIMAL */
    const eddy_type *key;      /* MAP key type */
    const eddy_type *elem;     /* ARRAY element type; MAP value type */
    uint32_t nfields;          /* STRUCT */
    const eddy_field *fields;  /* STRUCT, in declaration order; names are interned too */
};

const eddy_type *eddy_type_boolean(void);
const eddy_type *eddy_type_int(void);
const eddy_type *eddy_type_bigint(void);
const eddy_type *eddy_type_double(void);
const eddy_type *eddy_type_string(void);
const eddy_type *eddy_type_bytes(void);
const eddy_type *eddy_type_date(void);
const eddy_type *eddy_type_time(void);
const eddy_type *eddy_type_timestamp(void);
/* The primitive type of `id` (any id but DECIMAL, ARRAY, MAP, STRUCT), else NULL. */
const eddy_type *eddy_type_primitive(eddy_type_id id);
/* NULL when precision/scale are out of range (1 <= p <= 38, 0 <= s <= p). */
const eddy_type *eddy_type_decimal(int precision, int scale);
const eddy_type *eddy_type_array(const eddy_type *elem);
const eddy_type *eddy_type_map(const eddy_type *key, const eddy_type *value);
/* Copies `fields` (names included). NULL on a duplicate field name. */
const eddy_type *eddy_type_struct(uint32_t nfields, const eddy_field *fields);
/* Releases every interned type (at exit, for leak checkers). No type may be used after. */
void eddy_types_shutdown(void);

/* ksqlDB's SQL spelling: "INTEGER", "DECIMAL(4, 2)", "ARRAY<STRING>", "MAP<STRING, INTEGER>",
 * "STRUCT<`A` INTEGER, `B` STRING>" (as DESCRIBE prints it). Writes at most `size` bytes
 * including the NUL; returns the length it needed (snprintf's contract). */
size_t eddy_type_format(const eddy_type *t, char *buf, size_t size);
/* "INTEGER", "BIGINT", ... for the id alone (STRUCT for structs, etc.). */
const char *eddy_type_id_name(eddy_type_id id);
bool eddy_type_is_numeric(const eddy_type *t); /* INT, BIGINT, DECIMAL, DOUBLE */
/* Index of the field named `name` (exact match), or -1. */
int eddy_type_field_index(const eddy_type *t, const char *name);

/* Implicit coercion (type-coercion.md): may a value of `from` be used where `to` is expected?
 * INT -> BIGINT -> DECIMAL -> DOUBLE widening, lossless only: an integer type goes to a DECIMAL
 * with room for it (INT as DECIMAL(10,0)), a DECIMAL to one with as many integer and
 * fractional digits; ARRAY/MAP element-wise, STRUCT on the fields both have. */
bool eddy_type_coercible(const eddy_type *from, const eddy_type *to);
/* The common type of two types for a comparison, arithmetic or an expression list (IN,
 * CASE, ARRAY[...]), or NULL when there is none. A NULL argument (the untyped NULL literal)
 * yields the other type; DATE with TIMESTAMP yields TIMESTAMP. Numeric: the wider one, where
 * DECIMAL(p,s) joined with INT is DECIMAL(max(p-s,10)+s, s), with BIGINT uses 19 digits. */
const eddy_type *eddy_type_common(const eddy_type *a, const eddy_type *b);
/* The DECIMAL type an integer type widens to: INT -> DECIMAL(10,0), BIGINT -> DECIMAL(19,0);
 * a DECIMAL is returned as is; NULL for other types. */
const eddy_type *eddy_type_as_decimal(const eddy_type *t);

/* --------------------------------------------------------------- values */

/* A value: a type tag, a null flag and a payload. 32 bytes, copied by value.
 * Ownership: the bytes a STRING/BYTES points at and the items of ARRAY/MAP/STRUCT are NOT
 * owned by the value; they live in an arena (usually the batch's, see record.h) or in memory
 * whose lifetime the producer documents. Copy a value across lifetimes with
 * eddy_value_copy(). A NULL value still carries its type tag (ksqlDB's NULLs are typed); a
 * tag of 0 means "untyped NULL" (the NULL literal before coercion). */
typedef struct eddy_value {
    uint8_t type;      /* eddy_type_id, or 0 for an untyped NULL */
    uint8_t is_null;   /* 1: SQL NULL; the payload is meaningless */
    uint8_t precision; /* DECIMAL only */
    uint8_t scale;     /* DECIMAL only */
    uint32_t len;      /* STRING/BYTES: bytes; ARRAY/STRUCT: items; MAP: entries */
    union {
        bool b;
        int32_t i32;         /* INT */
        int64_t i64;         /* BIGINT */
        double f64;          /* DOUBLE */
        __int128 dec;        /* DECIMAL: unscaled value, value = dec / 10^scale */
        int32_t date;        /* DATE: days since epoch */
        int32_t time;        /* TIME: ms since midnight */
        int64_t ts;          /* TIMESTAMP: ms since epoch */
        const char *str;     /* STRING (not NUL-terminated) and BYTES */
        struct eddy_value *items; /* ARRAY: len items; STRUCT: len fields in type order;
                                     MAP: 2*len values, key0, value0, key1, value1, ... */
    } u;
} eddy_value;

/* Inline constructors: no allocation; strings are borrowed. */
static inline eddy_value eddy_null(eddy_type_id t)
{ eddy_value v = {0}; v.type = (uint8_t)t; v.is_null = 1; return v; }
static inline eddy_value eddy_bool(bool b)
{ eddy_value v = {0}; v.type = EDDY_TYPE_BOOLEAN; v.u.b = b; return v; }
static inline eddy_value eddy_int(int32_t i)
{ eddy_value v = {0}; v.type = EDDY_TYPE_INT; v.u.i32 = i; return v; }
static inline eddy_value eddy_bigint(int64_t i)
{ eddy_value v = {0}; v.type = EDDY_TYPE_BIGINT; v.u.i64 = i; return v; }
static inline eddy_value eddy_double(double d)
{ eddy_value v = {0}; v.type = EDDY_TYPE_DOUBLE; v.u.f64 = d; return v; }
static inline eddy_value eddy_string(const char *s, uint32_t len)
{ eddy_value v = {0}; v.type = EDDY_TYPE_STRING; v.u.str = s; v.len = len; return v; }
static inline eddy_value eddy_bytes(const void *p, uint32_t len)
{ eddy_value v = {0}; v.type = EDDY_TYPE_BYTES; v.u.str = (const char *)p; v.len = len; return v; }
static inline eddy_value eddy_timestamp(int64_t ms)
{ eddy_value v = {0}; v.type = EDDY_TYPE_TIMESTAMP; v.u.ts = ms; return v; }
static inline eddy_value eddy_date(int32_t days)
{ eddy_value v = {0}; v.type = EDDY_TYPE_DATE; v.u.date = days; return v; }
static inline eddy_value eddy_time(int32_t ms)
{ eddy_value v = {0}; v.type = EDDY_TYPE_TIME; v.u.time = ms; return v; }
static inline eddy_value eddy_decimal(__int128 unscaled, int precision, int scale)
{ eddy_value v = {0}; v.type = EDDY_TYPE_DECIMAL; v.u.dec = unscaled;
  v.precision = (uint8_t)precision; v.scale = (uint8_t)scale; return v; }

/* Deep copy of `v` (strings, items) into `arena`. Returns 0 or EDDY_ENOMEM. */
int eddy_value_copy(eddy_arena *arena, const eddy_value *v, eddy_value *out);

/* Total order used by ORDER-like operations, joins and GROUP BY: NULL sorts first, numbers
 * compare by value across INT/BIGINT/DECIMAL/DOUBLE, strings and bytes bytewise, arrays and
 * structs lexicographically. Returns <0, 0, >0. */
int eddy_value_compare(const eddy_value *a, const eddy_value *b);
/* SQL equality for keys (GROUP BY, joins): NULL equals NULL here (whatever the tags);
 * otherwise the type ids must match (INT 1 is not BIGINT 1: ksqlDB keys of different types
 * never meet, a join or GROUP BY casts first), DECIMALs are equal when their values are
 * (1.0 == 1.00), DOUBLEs as Java's Double.equals (NaN == NaN, -0.0 != 0.0), MAPs whatever
 * their entry order. */
bool eddy_value_equal(const eddy_value *a, const eddy_value *b);
/* Hash consistent with eddy_value_equal (equal values hash equal), 64-bit, seedable.
 * compare/equal/hash never allocate. */
uint64_t eddy_value_hash(const eddy_value *v, uint64_t seed);

/* Converts `in` to `to` under ksqlDB's CAST rules (a superset of implicit coercion):
 * numbers between each other (DOUBLE -> INT truncates toward zero, like Java), anything to
 * STRING (rendered as eddy_value_format does), STRING to numbers/BOOLEAN/DATE/TIME/TIMESTAMP
 * by parsing, DATE <-> TIMESTAMP, TIMESTAMP -> TIME, ARRAY/MAP/STRUCT element-wise.
 * Narrowing follows Java: DOUBLE -> INT/BIGINT saturates (NaN -> 0), BIGINT/DECIMAL -> INT
 * keeps the low bits (qtt cast.json: 2147483648 -> -2147483648); DOUBLE/STRING -> DECIMAL
 * round HALF_UP. Strings are trimmed before parsing; STRING -> BOOLEAN is true only for
 * "true" (any case). NULL stays NULL (typed `to`). Allocates into `arena` when the result
 * needs memory; otherwise the result may share `in`'s memory (STRING -> STRING).
 * Returns 0; EDDY_ETYPE when the cast is not defined for the types; EDDY_EPARSE when a string
 * does not parse; EDDY_ERANGE when a number does not fit (a DECIMAL's precision, INT range).
 * `errstr` (may be NULL) gets the reason. */
int eddy_value_cast(eddy_arena *arena, const eddy_value *in, const eddy_type *to,
                    eddy_value *out, char *errstr, size_t errstr_size);
/* As eddy_value_cast, knowing the type `from` of `in` (may be NULL): needed for what the
 * value alone cannot tell, struct field names. STRUCT -> STRUCT matches fields by name
 * (case-sensitive; target fields absent from the source become NULL) and STRUCT -> STRING
 * prints the names. Without `from`, struct fields match by position. */
int eddy_value_cast_typed(eddy_arena *arena, const eddy_value *in, const eddy_type *from,
                          const eddy_type *to, eddy_value *out, char *errstr,
                          size_t errstr_size);

/* Renders `v` as ksqlDB renders it in strings (CAST(x AS STRING), CONCAT, the CLI):
 * BOOLEAN true/false, DOUBLE like Java's Double.toString (1.0, 1.0E10, NaN), DECIMAL with its
 * scale (12.30), DATE 2020-01-31, TIME 10:15:30 (with .SSS when ms != 0), TIMESTAMP
 * 2020-01-31T10:15:30.000, BYTES base64, ARRAY [1, 2], MAP {a=1, b=2}, STRUCT as Kafka
 * Connect's Struct.toString, Struct{A=1,B=x} (qtt cast.json; field names need the type: see
 * eddy_value_format_typed), NULL as "null". Values nested in ARRAY/MAP/STRUCT render as
 * ksqlDB's Java objects print (BigDecimal "1E-7", java.sql.Timestamp "2020-01-31 10:15:30.0").
 * Appends to `buf` (see eddy_buf in arena.h). Returns 0 or EDDY_ENOMEM. */
int eddy_value_format(eddy_buf *buf, const eddy_value *v);
/* As eddy_value_format with the value's type `t` (may be NULL), so that struct fields print
 * with their names ("Struct{A=1,B=x}", Kafka Connect's Struct.toString, null fields left
 * out); without it a field prints as its position. */
int eddy_value_format_typed(eddy_buf *buf, const eddy_value *v, const eddy_type *t);

/* DECIMAL helpers: exact, no double rounding anywhere. */
/* Parses "-12.340", "1E+3" into unscaled/precision/scale as the text writes them (Java's
 * BigDecimal grammar). A negative scale is written out (1E+3 is 1000, scale 0); precision
 * follows ksqlDB's DecimalUtil.fromValue ("0.05" is DECIMAL(3, 2)). EDDY_EPARSE, or
 * EDDY_ERANGE beyond 38 digits or a scale above 38. */
int eddy_decimal_parse(const char *s, size_t len, __int128 *unscaled, int *precision, int *scale);
/* Rescales to `scale`, rounding HALF_UP when digits are dropped; EDDY_ERANGE if the result
 * needs more than `precision` digits. */
int eddy_decimal_rescale(__int128 unscaled, int from_scale, int precision, int scale,
                         __int128 *out);
/* Writes "-12.30" (plain notation, exactly `scale` fractional digits). Returns length, the
 * NUL included in `size` like snprintf. Buffer of 48 bytes always suffices. */
size_t eddy_decimal_format(__int128 unscaled, int scale, char *buf, size_t size);
double eddy_decimal_to_double(__int128 unscaled, int scale);

/* Time helpers (UTC, proleptic Gregorian). */
int64_t eddy_days_from_civil(int64_t y, unsigned m, unsigned d);
void eddy_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* ISO-8601 parsing as ksqlDB accepts it: "2020-01-31", "10:15:30[.123]",
 * "2020-01-31T10:15:30[.123][Z|+01:00]" (a zone converts to UTC; none means UTC). */
int eddy_parse_date(const char *s, size_t len, int32_t *days);
int eddy_parse_time(const char *s, size_t len, int32_t *ms);
int eddy_parse_timestamp(const char *s, size_t len, int64_t *ms);

#ifdef __cplusplus
}
#endif
#endif
