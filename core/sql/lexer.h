/* lexer.h: the tokenizer of the KSQL dialect (ksqlDB's lexical structure: identifiers,
 * keywords, literals, operators, comments), giving every token its line and column. */
#ifndef EDDY_SQL_LEXER_H
#define EDDY_SQL_LEXER_H

#include "eddy/common.h"
#include "eddy/arena.h"

typedef enum eddy_tok_kind {
    EDDY_TK_EOF = 0,
    EDDY_TK_IDENT,        /* unquoted word (a keyword too: see `kw`); text upper-cased */
    EDDY_TK_QIDENT,       /* `back-quoted` or "double-quoted": text verbatim, unescaped */
    EDDY_TK_DIGIT_IDENT,  /* 1abc: ksqlDB's DIGIT_IDENTIFIER (digit then letters) */
    EDDY_TK_STRING,       /* 'text' with '' unescaped */
    EDDY_TK_INTEGER,      /* 123 */
    EDDY_TK_DECIMAL,      /* 1.5, 1., .5 */
    EDDY_TK_FLOAT,        /* 1.5E3, 1e-3 */
    EDDY_TK_VARIABLE,     /* ${name}: text is the name */
    /* punctuation and operators */
    EDDY_TK_LPAREN, EDDY_TK_RPAREN, EDDY_TK_LBRACKET, EDDY_TK_RBRACKET,
    EDDY_TK_COMMA, EDDY_TK_SEMI, EDDY_TK_DOT, EDDY_TK_COLON,
    EDDY_TK_EQ,      /* = */
    EDDY_TK_NEQ,     /* <> */
    EDDY_TK_BANGEQ,  /* != */
    EDDY_TK_LT, EDDY_TK_LTE, EDDY_TK_GT, EDDY_TK_GTE,
    EDDY_TK_PLUS, EDDY_TK_MINUS, EDDY_TK_STAR, EDDY_TK_SLASH, EDDY_TK_PERCENT,
    EDDY_TK_CONCAT,  /* || */
    EDDY_TK_ASSIGN,  /* := */
    EDDY_TK_ARROW,   /* -> */
    EDDY_TK_LAMBDA,  /* => */
    EDDY_TK_ERROR    /* a character or literal the lexer cannot read; text says why */
} eddy_tok_kind;

/* Keywords of ksqlDB's grammar (only the ones the parser looks at; any other word is an
 * identifier). A keyword token is an EDDY_TK_IDENT whose `kw` is not EDDY_KW_NONE. */
#define EDDY_KEYWORDS(X)                                                                   \
    X(ADD, 0) X(ALL, 0) X(AND, 1) X(ARRAY, 0) X(AS, 1) X(ASSERT, 0) X(AT, 0) X(BETWEEN, 1) \
    X(BY, 1) X(BYTES, 0) X(CASE, 1) X(CAST, 1) X(CHANGES, 0) X(CREATE, 1) X(DATE, 0)       \
    X(DECIMAL, 0) X(DISTINCT, 1) X(ELSE, 1) X(EMIT, 0) X(END, 1) X(ESCAPE, 0)              \
    X(EXISTS, 1) X(FALSE, 1) X(FINAL, 0) X(FROM, 1) X(FULL, 1) X(GROUP, 1) X(HAVING, 1)     \
    X(HEADER, 0) X(HEADERS, 0) X(IF, 0) X(IN, 1) X(INNER, 1) X(INSERT, 1) X(INTEGER, 0)    \
    X(INTERVAL, 0) X(INTO, 1) X(IS, 1) X(JOIN, 1) X(KEY, 0) X(LEFT, 1) X(LIKE, 1)           \
    X(LIMIT, 1) X(MAP, 0) X(NOT, 1) X(NULL, 1) X(ON, 1) X(OR, 1) X(OUTER, 1)               \
    X(PARTITION, 0) X(PRIMARY, 0) X(RIGHT, 1) X(SELECT, 1) X(STREAM, 1) X(STRUCT, 0)       \
    X(TABLE, 1) X(THEN, 1) X(TIME, 0) X(TIMESTAMP, 0) X(TRUE, 1) X(TYPE, 0) X(VALUES, 1)   \
    X(WHEN, 1) X(WHERE, 1) X(WINDOW, 1) X(WITH, 1) X(WITHIN, 1)

typedef enum eddy_keyword {
    EDDY_KW_NONE = 0,
#define EDDY_KW_ENUM_(name, reserved) EDDY_KW_##name,
    EDDY_KEYWORDS(EDDY_KW_ENUM_)
#undef EDDY_KW_ENUM_
    EDDY_KW_COUNT_
} eddy_keyword;

typedef struct eddy_token {
    eddy_tok_kind kind;
    eddy_keyword kw;     /* EDDY_TK_IDENT only */
    bool reserved;       /* a reserved keyword: not usable as an unquoted identifier */
    int line, col;       /* 1-based, col counts bytes */
    const char *start;   /* into the source text */
    uint32_t len;        /* source bytes */
    const char *text;    /* decoded text, NUL-terminated (arena): identifiers upper-cased
                            unless quoted, strings unescaped, numbers as written */
    uint32_t text_len;
} eddy_token;

/* The whole text tokenized at once; the last token is EDDY_TK_EOF.
 * Tokens and their texts live in `arena` (caller-owned). A lexical error (unterminated
 * string or comment, stray character) is reported as an EDDY_TK_ERROR token, so the parser
 * reports it at the right place: the function itself fails only with EDDY_ENOMEM. */
typedef struct eddy_tokens {
    eddy_token *v;
    uint32_t n;
} eddy_tokens;

int eddy_lex(const char *text, size_t len, eddy_arena *arena, eddy_tokens *out);

/* "'FROM'", "','", "<EOF>": how ANTLR (so ksqlDB) shows a token in messages. Writes into
 * buf (NUL-terminated, truncated to size). */
void eddy_token_display(const eddy_token *t, char *buf, size_t size);
/* Keyword spelling ("SELECT") or NULL for EDDY_KW_NONE. */
const char *eddy_keyword_name(eddy_keyword kw);
/* Whether `word` (any case) is a reserved keyword, i.e. must be back-quoted as an
 * identifier. */
bool eddy_keyword_is_reserved(const char *word);
/* Name of a token kind for "Expecting {...}" lists: "IDENTIFIER", "STRING", "'('". */
const char *eddy_tok_kind_name(eddy_tok_kind k);

#endif
