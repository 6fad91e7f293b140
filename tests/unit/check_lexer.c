/* check_lexer.c: the KSQL tokenizer (core/sql/lexer.c), table-driven against ksqlDB's lexical
 * structure (reference/sql/syntax/lexical-structure.md) and SqlBase.g4's token rules. */
#include "testutil.h"
#include "sql/lexer.h"

#include <stdio.h>
#include <string.h>

/* Renders the tokens as "KIND:text@line:col ..." for comparison. */
static char *lex_dump(const char *text)
{
    static char out[4096];
    eddy_arena *a = eddy_arena_new(0);
    eddy_tokens toks;
    ck_assert_int_eq(eddy_lex(text, strlen(text), a, &toks), 0);
    size_t o = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < toks.n; i++) {
        const eddy_token *t = &toks.v[i];
        const char *k;
        switch (t->kind) {
        case EDDY_TK_IDENT: k = t->kw ? (t->reserved ? "KW" : "kw") : "ID"; break;
        case EDDY_TK_QIDENT: k = "QID"; break;
        case EDDY_TK_DIGIT_IDENT: k = "DID"; break;
        case EDDY_TK_STRING: k = "STR"; break;
        case EDDY_TK_INTEGER: k = "INT"; break;
        case EDDY_TK_DECIMAL: k = "DEC"; break;
        case EDDY_TK_FLOAT: k = "DBL"; break;
        case EDDY_TK_VARIABLE: k = "VAR"; break;
        case EDDY_TK_EOF: k = "EOF"; break;
        case EDDY_TK_ERROR: k = "ERR"; break;
        default: k = "OP"; break;
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s:%s@%d:%d", i ? " " : "", k,
                              t->text, t->line, t->col);
    }
    eddy_arena_destroy(a);
    return out;
}

static const struct {
    const char *in, *want;
} cases[] = {
    /* identifiers: unquoted upper-cased, keywords recognised case-insensitively */
    {"stars", "ID:STARS@1:1 EOF:<EOF>@1:6"},
    {"Select _a1 b@c", "KW:SELECT@1:1 ID:_A1@1:8 ID:B@C@1:12 EOF:<EOF>@1:15"},
    /* non-reserved keywords (usable as identifiers) vs reserved ones */
    {"key map FROM", "kw:KEY@1:1 kw:MAP@1:5 KW:FROM@1:9 EOF:<EOF>@1:13"},
    /* back-quoted and double-quoted identifiers keep their case; doubled quote escapes */
    {"`@MY-col!` \"Mixed\"\"Q\" `a``b`",
     "QID:@MY-col!@1:1 QID:Mixed\"Q@1:12 QID:a`b@1:23 EOF:<EOF>@1:29"},
    /* string literals with '' escapes */
    {"'it''s' ''", "STR:it's@1:1 STR:@1:9 EOF:<EOF>@1:11"},
    /* numbers: the forms of lexical-structure.md */
    {"5 7.2 0.0087 1. .5 1e-3 1.332434e+2",
     "INT:5@1:1 DEC:7.2@1:3 DEC:0.0087@1:7 DEC:1.@1:14 DEC:.5@1:17 DBL:1e-3@1:20 "
     "DBL:1.332434e+2@1:25 EOF:<EOF>@1:36"},
    /* DIGIT_IDENTIFIER when letters follow digits (longest match), a number otherwise */
    {"1abc 1e3 1ea", "DID:1ABC@1:1 DBL:1e3@1:6 DID:1EA@1:10 EOF:<EOF>@1:13"},
    /* operators, longest match */
    {"a<>b!=c<=d>=e->f=>g:=h||i",
     "ID:A@1:1 OP:<>@1:2 ID:B@1:4 OP:!=@1:5 ID:C@1:7 OP:<=@1:8 ID:D@1:10 OP:>=@1:11 "
     "ID:E@1:13 OP:->@1:14 ID:F@1:16 OP:=>@1:17 ID:G@1:19 OP::=@1:20 ID:H@1:22 OP:||@1:23 "
     "ID:I@1:25 EOF:<EOF>@1:26"},
    {"(a[1]),;.*/%+-", "OP:(@1:1 ID:A@1:2 OP:[@1:3 INT:1@1:4 OP:]@1:5 OP:)@1:6 OP:,@1:7 "
                       "OP:;@1:8 OP:.@1:9 OP:*@1:10 OP:/@1:11 OP:%@1:12 OP:+@1:13 "
                       "OP:-@1:14 EOF:<EOF>@1:15"},
    /* comments and positions across lines */
    {"a -- comment\n  /* block\n comment */ b", "ID:A@1:1 ID:B@3:13 EOF:<EOF>@3:14"},
    /* variables */
    {"${name}", "VAR:name@1:1 EOF:<EOF>@1:8"},
    /* lexical errors become error tokens at their position */
    {"a 'open", "ID:A@1:1 ERR:unterminated string literal@1:3 EOF:<EOF>@1:8"},
    {"a /* open", "ID:A@1:1 ERR:unterminated comment@1:3 EOF:<EOF>@1:10"},
    {"a # b", "ID:A@1:1 ERR:token recognition error@1:3 ID:B@1:5 EOF:<EOF>@1:6"},
};

START_TEST(test_lex_table)
{
    ck_assert_msg(strcmp(lex_dump(cases[_i].in), cases[_i].want) == 0,
                  "case %d: %s\n got:  %s\n want: %s", _i, cases[_i].in, lex_dump(cases[_i].in),
                  cases[_i].want);
}
END_TEST

START_TEST(test_token_display)
{
    eddy_arena *a = eddy_arena_new(0);
    eddy_tokens toks;
    ck_assert_int_eq(eddy_lex("FROM 'x'", 8, a, &toks), 0);
    char buf[64];
    eddy_token_display(&toks.v[0], buf, sizeof buf);
    ck_assert_str_eq(buf, "'FROM'");
    eddy_token_display(&toks.v[1], buf, sizeof buf);
    ck_assert_str_eq(buf, "''x''");
    eddy_token_display(&toks.v[2], buf, sizeof buf);
    ck_assert_str_eq(buf, "<EOF>");
    eddy_arena_destroy(a);
    ck_assert(eddy_keyword_is_reserved("select"));
    ck_assert(!eddy_keyword_is_reserved("key"));
    ck_assert(!eddy_keyword_is_reserved("stars"));
    ck_assert_str_eq(eddy_tok_kind_name(EDDY_TK_STRING), "STRING");
    ck_assert_str_eq(eddy_tok_kind_name(EDDY_TK_RPAREN), "')'");
}
END_TEST

START_TEST(test_unicode_identifier)
{
    /* bytes >= 0x80 are letters, so UTF-8 identifiers lex as one token */
    ck_assert_str_eq(lex_dump("caf\xc3\xa9 x"), "ID:CAF\xc3\xa9@1:1 ID:X@1:7 EOF:<EOF>@1:8");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_lex_table, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_token_display);
    tcase_add_test(tc, test_unicode_identifier);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}
