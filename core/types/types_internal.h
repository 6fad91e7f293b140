/* types_internal.h: helpers the types module's files share (decimal digits, Java renderings);
 * not a public API. */
#ifndef EDDY_TYPES_INTERNAL_H
#define EDDY_TYPES_INTERNAL_H

#include "eddy/value.h"

/* 10^0 .. 10^38. */
extern const __int128 eddy_dec_pow10[EDDY_DECIMAL_MAX_PRECISION + 1];

/* Decimal digits of |u| (1 for 0). */
int eddy_dec_ndigits(unsigned __int128 u);

/* Builds DECIMAL(precision, scale) from the decimal 0.d1d2..dn x 10^e10 (digits are ASCII,
 * `neg` its sign) the way ksqlDB's DecimalUtil.cast does: when `mc_precision` > 0 the digits
 * are first rounded HALF_UP to that many significant digits (Java's MathContext, used for
 * doubles); then EDDY_ERANGE if |value| >= 10^(precision - scale); then the value is rounded
 * HALF_UP to `scale` fractional digits. */
int eddy_dec_from_digits(bool neg, const char *digits, int n, int e10, int mc_precision,
                         int precision, int scale, __int128 *out);

/* ksqlDB's CAST(double AS DECIMAL(p, s)): new BigDecimal(d, new MathContext(p)), then the
 * overflow check, then setScale(s, HALF_UP). EDDY_ERANGE for NaN, infinities, overflow. */
int eddy_dec_from_double(double d, int precision, int scale, __int128 *out);

/* ksqlDB's CAST(string AS DECIMAL(p, s)): new BigDecimal(text) (Java's grammar, any number of
 * digits), overflow check, setScale(s, HALF_UP). EDDY_EPARSE or EDDY_ERANGE. */
int eddy_dec_from_string(const char *s, size_t len, int precision, int scale, __int128 *out);

/* Java's Double.toString (JDK 19+ specification: the shortest decimal that rounds to `d`,
 * at least two digits when one would do). Writes a NUL-terminated string of at most 26 bytes
 * into `buf` (32 bytes) and returns its length. */
size_t eddy_double_to_java(double d, char *buf);

/* Java's BigDecimal.toString: plain unless the adjusted exponent is below -6 ("1E-7"). */
size_t eddy_decimal_to_java(__int128 unscaled, int scale, char *buf /* 64 bytes */);

#endif
