/* lexer.c: hand-written tokenizer for ksqlDB's SQL (see lexer.h). It mirrors the lexer rules
 * of ksqlDB's ANTLR grammar (SqlBase.g4): IDENTIFIER, DIGIT_IDENTIFIER, QUOTED_IDENTIFIER,
 * BACKQUOTED_IDENTIFIER, STRING, INTEGER_VALUE, DECIMAL_VALUE, FLOATING_POINT_VALUE. */
#include "sql/lexer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    bool reserved;
} keywords[EDDY_KW_COUNT_] = {
    [EDDY_KW_NONE] = {NULL, false},
#define KW_ROW_(name, res) [EDDY_KW_##name] = {#name, res},
    EDDY_KEYWORDS(KW_ROW_)
#undef KW_ROW_
};

const char *eddy_keyword_name(eddy_keyword kw)
{
    if (kw <= EDDY_KW_NONE || kw >= EDDY_KW_COUNT_)
        return NULL;
    return keywords[kw].name;
}

static eddy_keyword keyword_lookup(const char *upper, size_t len)
{
    /* ~70 entries, looked up once per word at parse time: a linear scan is fine. */
    for (int k = 1; k < EDDY_KW_COUNT_; k++) {
        const char *n = keywords[k].name;
        if (strlen(n) == len && memcmp(n, upper, len) == 0)
            return (eddy_keyword)k;
    }
    return EDDY_KW_NONE;
}

bool eddy_keyword_is_reserved(const char *word)
{
    char up[32];
    size_t n = strlen(word);
    if (n >= sizeof up)
        return false;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)word[i]);
    eddy_keyword kw = keyword_lookup(up, n);
    return kw != EDDY_KW_NONE && keywords[kw].reserved;
}

const char *eddy_tok_kind_name(eddy_tok_kind k)
{
    switch (k) {
    case EDDY_TK_EOF: return "<EOF>";
    case EDDY_TK_IDENT: return "IDENTIFIER";
    case EDDY_TK_QIDENT: return "QUOTED_IDENTIFIER";
    case EDDY_TK_DIGIT_IDENT: return "DIGIT_IDENTIFIER";
    case EDDY_TK_STRING: return "STRING";
    case EDDY_TK_INTEGER: return "INTEGER_VALUE";
    case EDDY_TK_DECIMAL: return "DECIMAL_VALUE";
    case EDDY_TK_FLOAT: return "FLOATING_POINT_VALUE";
    case EDDY_TK_VARIABLE: return "VARIABLE";
    case EDDY_TK_LPAREN: return "'('";
    case EDDY_TK_RPAREN: return "')'";
    case EDDY_TK_LBRACKET: return "'['";
    case EDDY_TK_RBRACKET: return "']'";
    case EDDY_TK_COMMA: return "','";
    case EDDY_TK_SEMI: return "';'";
    case EDDY_TK_DOT: return "'.'";
    case EDDY_TK_COLON: return "':'";
    case EDDY_TK_EQ: return "'='";
    case EDDY_TK_NEQ: return "'<>'";
    case EDDY_TK_BANGEQ: return "'!='";
    case EDDY_TK_LT: return "'<'";
    case EDDY_TK_LTE: return "'<='";
    case EDDY_TK_GT: return "'>'";
    case EDDY_TK_GTE: return "'>='";
    case EDDY_TK_PLUS: return "'+'";
    case EDDY_TK_MINUS: return "'-'";
    case EDDY_TK_STAR: return "'*'";
    case EDDY_TK_SLASH: return "'/'";
    case EDDY_TK_PERCENT: return "'%'";
    case EDDY_TK_CONCAT: return "'||'";
    case EDDY_TK_ASSIGN: return "':='";
    case EDDY_TK_ARROW: return "'->'";
    case EDDY_TK_LAMBDA: return "'=>'";
    case EDDY_TK_ERROR: return "<error>";
    }
    return "?";
}

void eddy_token_display(const eddy_token *t, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (t->kind == EDDY_TK_EOF) {
        snprintf(buf, size, "<EOF>");
        return;
    }
    /* ANTLR's getTokenErrorDisplay: the source text, \n \r \t escaped, in single quotes. */
    size_t o = 0;
    buf[o++] = '\'';
    for (uint32_t i = 0; i < t->len && o + 3 < size; i++) {
        char c = t->start[i];
        const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (esc) {
            buf[o++] = esc[0];
            buf[o++] = esc[1];
        } else {
            buf[o++] = c;
        }
    }
    if (o + 1 < size)
        buf[o++] = '\'';
    buf[o] = '\0';
}

/* ------------------------------------------------------------------ scanning */

typedef struct lexer {
    const char *s;
    size_t len, pos;
    int line, col;
    eddy_arena *arena;
    eddy_token *v;
    uint32_t n, cap;
} lexer;

static bool is_letter(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(unsigned char c)
{
    return is_letter(c) || is_digit(c) || c == '_' || c == '@';
}

static int peek(const lexer *lx, size_t ahead)
{
    return lx->pos + ahead < lx->len ? (unsigned char)lx->s[lx->pos + ahead] : -1;
}

static void advance(lexer *lx, size_t n)
{
    while (n-- > 0 && lx->pos < lx->len) {
        if (lx->s[lx->pos] == '\n') {
            lx->line++;
            lx->col = 1;
        } else {
            lx->col++;
        }
        lx->pos++;
    }
}

static eddy_token *push(lexer *lx, eddy_tok_kind kind, size_t start, int line, int col)
{
    if (lx->n == lx->cap) {
        uint32_t ncap = lx->cap ? lx->cap * 2 : 64;
        eddy_token *nv = eddy_arena_alloc(lx->arena, ncap * sizeof *nv);
        if (!nv)
            return NULL;
        if (lx->n)
            memcpy(nv, lx->v, lx->n * sizeof *nv);
        lx->v = nv;
        lx->cap = ncap;
    }
    eddy_token *t = &lx->v[lx->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->line = line;
    t->col = col;
    t->start = lx->s + start;
    t->len = (uint32_t)(lx->pos - start);
    return t;
}

/* Sets the token's decoded text to the source slice [from, from+n). */
static int set_text(lexer *lx, eddy_token *t, const char *from, size_t n)
{
    char *p = eddy_arena_strndup(lx->arena, from, n);
    if (!p)
        return EDDY_ENOMEM;
    t->text = p;
    t->text_len = (uint32_t)n;
    return 0;
}

/* Quoted text between `q` characters, a doubled `q` standing for one. On return the
 * lexer is past the closing quote; false if the text is unterminated. */
static int scan_quoted(lexer *lx, char q, eddy_token *t, bool *terminated)
{
    /* Decoded text is never longer than the source. */
    char *buf = eddy_arena_alloc(lx->arena, lx->len - lx->pos + 1);
    if (!buf)
        return EDDY_ENOMEM;
    size_t o = 0;
    advance(lx, 1);
    *terminated = false;
    while (lx->pos < lx->len) {
        char c = lx->s[lx->pos];
        if (c == q) {
            if (peek(lx, 1) == (unsigned char)q) {
                buf[o++] = q;
                advance(lx, 2);
                continue;
            }
            advance(lx, 1);
            *terminated = true;
            break;
        }
        buf[o++] = c;
        advance(lx, 1);
    }
    buf[o] = '\0';
    t->text = buf;
    t->text_len = (uint32_t)o;
    return 0;
}

/* Length of the numeric literal at pos (0 if none) and its kind. Grammar:
 *   INTEGER_VALUE: DIGIT+
 *   DECIMAL_VALUE: DIGIT+ '.' DIGIT* | '.' DIGIT+
 *   FLOATING_POINT_VALUE: DIGIT+ ('.' DIGIT*)? EXPONENT | '.' DIGIT+ EXPONENT
 *   EXPONENT: 'E' [+-]? DIGIT+ */
static size_t scan_number(const lexer *lx, eddy_tok_kind *kind)
{
    size_t i = 0, intd = 0, fracd = 0;
    bool dot = false;
    while (peek(lx, i) >= 0 && is_digit((unsigned char)peek(lx, i))) {
        i++;
        intd++;
    }
    if (peek(lx, i) == '.') {
        size_t j = i + 1;
        while (peek(lx, j) >= 0 && is_digit((unsigned char)peek(lx, j))) {
            j++;
            fracd++;
        }
        if (intd > 0 || fracd > 0) {
            dot = true;
            i = j;
        }
    }
    if (intd == 0 && fracd == 0)
        return 0;
    *kind = dot ? EDDY_TK_DECIMAL : EDDY_TK_INTEGER;
    if (peek(lx, i) == 'e' || peek(lx, i) == 'E') {
        size_t j = i + 1;
        if (peek(lx, j) == '+' || peek(lx, j) == '-')
            j++;
        size_t ed = 0;
        while (peek(lx, j) >= 0 && is_digit((unsigned char)peek(lx, j))) {
            j++;
            ed++;
        }
        if (ed > 0) {
            *kind = EDDY_TK_FLOAT;
            i = j;
        }
    }
    return i;
}

static int lex_one(lexer *lx)
{
    size_t start = lx->pos;
    int line = lx->line, col = lx->col;
    int c = peek(lx, 0), c1 = peek(lx, 1);
    eddy_token *t;

    if (is_letter((unsigned char)c) || c == '_') {
        size_t n = 0;
        while (peek(lx, n) >= 0 && is_ident_char((unsigned char)peek(lx, n)))
            n++;
        advance(lx, n);
        if (!(t = push(lx, EDDY_TK_IDENT, start, line, col)))
            return EDDY_ENOMEM;
        char *up = eddy_arena_strndup(lx->arena, lx->s + start, n);
        if (!up)
            return EDDY_ENOMEM;
        for (size_t i = 0; i < n; i++)
            up[i] = (char)toupper((unsigned char)up[i]);
        t->text = up;
        t->text_len = (uint32_t)n;
        t->kw = keyword_lookup(up, n);
        t->reserved = t->kw != EDDY_KW_NONE && keywords[t->kw].reserved;
        return 0;
    }
    if (is_digit((unsigned char)c) || (c == '.' && c1 >= 0 && is_digit((unsigned char)c1))) {
        eddy_tok_kind kind = EDDY_TK_INTEGER;
        size_t numlen = scan_number(lx, &kind);
        /* DIGIT_IDENTIFIER: DIGIT (LETTER | DIGIT | '_' | '@')+, when strictly longer than
         * the number (ANTLR takes the longest match; on a tie the number rule wins). */
        size_t idlen = 0;
        bool nondigit = false;
        if (is_digit((unsigned char)c)) {
            while (peek(lx, idlen) >= 0 && is_ident_char((unsigned char)peek(lx, idlen))) {
                if (!is_digit((unsigned char)peek(lx, idlen)))
                    nondigit = true;
                idlen++;
            }
        }
        if (nondigit && idlen > numlen) {
            advance(lx, idlen);
            if (!(t = push(lx, EDDY_TK_DIGIT_IDENT, start, line, col)))
                return EDDY_ENOMEM;
            char *up = eddy_arena_strndup(lx->arena, lx->s + start, idlen);
            if (!up)
                return EDDY_ENOMEM;
            for (size_t i = 0; i < idlen; i++)
                up[i] = (char)toupper((unsigned char)up[i]);
            t->text = up;
            t->text_len = (uint32_t)idlen;
            return 0;
        }
        advance(lx, numlen);
        if (!(t = push(lx, kind, start, line, col)))
            return EDDY_ENOMEM;
        return set_text(lx, t, lx->s + start, numlen);
    }
    if (c == '\'' || c == '`' || c == '"') {
        eddy_tok_kind kind = c == '\'' ? EDDY_TK_STRING : EDDY_TK_QIDENT;
        eddy_token tmp = {0};
        bool ok;
        int rc = scan_quoted(lx, (char)c, &tmp, &ok);
        if (rc)
            return rc;
        if (!(t = push(lx, ok ? kind : EDDY_TK_ERROR, start, line, col)))
            return EDDY_ENOMEM;
        t->text = tmp.text;
        t->text_len = tmp.text_len;
        if (!ok)
            t->text = c == '\'' ? "unterminated string literal"
                                : "unterminated quoted identifier";
        return 0;
    }
    if (c == '$' && c1 == '{') {
        size_t n = 2;
        while (peek(lx, n) >= 0 && peek(lx, n) != '}')
            n++;
        bool ok = peek(lx, n) == '}';
        advance(lx, ok ? n + 1 : n);
        if (!(t = push(lx, ok ? EDDY_TK_VARIABLE : EDDY_TK_ERROR, start, line, col)))
            return EDDY_ENOMEM;
        if (!ok) {
            t->text = "unterminated variable reference";
            return 0;
        }
        return set_text(lx, t, lx->s + start + 2, n - 2);
    }

    eddy_tok_kind kind;
    size_t n = 1;
    switch (c) {
    case '(': kind = EDDY_TK_LPAREN; break;
    case ')': kind = EDDY_TK_RPAREN; break;
    case '[': kind = EDDY_TK_LBRACKET; break;
    case ']': kind = EDDY_TK_RBRACKET; break;
    case ',': kind = EDDY_TK_COMMA; break;
    case ';': kind = EDDY_TK_SEMI; break;
    case '.': kind = EDDY_TK_DOT; break;
    case '*': kind = EDDY_TK_STAR; break;
    case '/': kind = EDDY_TK_SLASH; break;
    case '%': kind = EDDY_TK_PERCENT; break;
    case '+': kind = EDDY_TK_PLUS; break;
    case ':':
        if (c1 == '=') { kind = EDDY_TK_ASSIGN; n = 2; }
        else kind = EDDY_TK_COLON;
        break;
    case '=':
        if (c1 == '>') { kind = EDDY_TK_LAMBDA; n = 2; }
        else kind = EDDY_TK_EQ;
        break;
    case '<':
        if (c1 == '>') { kind = EDDY_TK_NEQ; n = 2; }
        else if (c1 == '=') { kind = EDDY_TK_LTE; n = 2; }
        else kind = EDDY_TK_LT;
        break;
    case '>':
        if (c1 == '=') { kind = EDDY_TK_GTE; n = 2; }
        else kind = EDDY_TK_GT;
        break;
    case '!':
        if (c1 == '=') { kind = EDDY_TK_BANGEQ; n = 2; }
        else kind = EDDY_TK_ERROR;
        break;
    case '|':
        if (c1 == '|') { kind = EDDY_TK_CONCAT; n = 2; }
        else kind = EDDY_TK_ERROR;
        break;
    case '-':
        if (c1 == '>') { kind = EDDY_TK_ARROW; n = 2; }
        else kind = EDDY_TK_MINUS;
        break;
    default: kind = EDDY_TK_ERROR; break;
    }
    if (kind == EDDY_TK_ERROR) {
        /* one UTF-8 character, not one byte, so the message shows it whole */
        if (c >= 0xC0)
            while (peek(lx, n) >= 0x80 && peek(lx, n) < 0xC0)
                n++;
    }
    advance(lx, n);
    if (!(t = push(lx, kind, start, line, col)))
        return EDDY_ENOMEM;
    if (kind == EDDY_TK_ERROR) {
        t->text = "token recognition error";
        t->text_len = (uint32_t)strlen(t->text);
        return 0;
    }
    return set_text(lx, t, lx->s + start, n);
}

int eddy_lex(const char *text, size_t len, eddy_arena *arena, eddy_tokens *out)
{
    lexer lx = {.s = text, .len = len, .line = 1, .col = 1, .arena = arena};
    out->v = NULL;
    out->n = 0;
    for (;;) {
        /* whitespace and comments */
        int c = peek(&lx, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            advance(&lx, 1);
            continue;
        }
        if (c == '-' && peek(&lx, 1) == '-') {
            while (lx.pos < lx.len && lx.s[lx.pos] != '\n')
                advance(&lx, 1);
            continue;
        }
        if (c == '/' && peek(&lx, 1) == '*') {
            size_t start = lx.pos;
            int line = lx.line, col = lx.col;
            advance(&lx, 2);
            bool closed = false;
            while (lx.pos < lx.len) {
                if (lx.s[lx.pos] == '*' && peek(&lx, 1) == '/') {
                    advance(&lx, 2);
                    closed = true;
                    break;
                }
                advance(&lx, 1);
            }
            if (!closed) {
                eddy_token *t = push(&lx, EDDY_TK_ERROR, start, line, col);
                if (!t)
                    return EDDY_ENOMEM;
                t->text = "unterminated comment";
                t->text_len = (uint32_t)strlen(t->text);
                /* the comment ate the rest: the EOF follows */
            }
            continue;
        }
        if (c < 0)
            break;
        int rc = lex_one(&lx);
        if (rc)
            return rc;
    }
    eddy_token *t = push(&lx, EDDY_TK_EOF, lx.pos, lx.line, lx.col);
    if (!t)
        return EDDY_ENOMEM;
    t->text = "<EOF>";
    t->text_len = 5;
    out->v = lx.v;
    out->n = lx.n;
    return 0;
}
