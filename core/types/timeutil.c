/* timeutil.c: civil-date arithmetic (proleptic Gregorian, UTC) and the ISO-8601 parsing ksqlDB
 * applies to DATE, TIME and TIMESTAMP strings. */
#include "eddy/value.h"

#include <string.h>

#define MS_PER_DAY 86400000LL

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t eddy_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void eddy_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Exactly `n` ASCII digits at s[*i]. */
static bool num(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        v = v * 10 + (s[*i] - '0');
    }
    *out = v;
    return true;
}

/* yyyy[-MM[-dd]] (partials only when `partial`); the whole of s[0..len). Days of month past
 * the month's end but <= 31 are clamped to its last day, as java.time's SMART resolver
 * does. */
static int parse_ymd(const char *s, size_t len, bool partial, int64_t *days)
{
    size_t i = 0;
    int y, m = 1, d = 1;
    if (!num(s, len, &i, 4, &y))
        return EDDY_EPARSE;
    if (i < len || !partial) {
        if (i >= len || s[i++] != '-' || !num(s, len, &i, 2, &m))
            return EDDY_EPARSE;
        if (i < len || !partial) {
            if (i >= len || s[i++] != '-' || !num(s, len, &i, 2, &d))
                return EDDY_EPARSE;
        }
    }
    if (i != len || m < 1 || m > 12 || d < 1 || d > 31)
        return EDDY_EPARSE;
    if ((unsigned)d > month_days(y, (unsigned)m))
        d = (int)month_days(y, (unsigned)m);
    *days = eddy_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

/* HH[:mm[:ss[.fffffffff]]] on s[0..len) (the hour alone only when `hour_only`); the
 * fraction (1 to 9 digits) is truncated to milliseconds. */
static int parse_hms(const char *s, size_t len, bool hour_only, int32_t *ms)
{
    size_t i = 0;
    int h, mi = 0, sec = 0, frac = 0;
    if (!num(s, len, &i, 2, &h))
        return EDDY_EPARSE;
    if (i < len || !hour_only) {
        if (i >= len || s[i++] != ':' || !num(s, len, &i, 2, &mi))
            return EDDY_EPARSE;
        if (i < len) {
            if (s[i++] != ':' || !num(s, len, &i, 2, &sec))
                return EDDY_EPARSE;
            if (i < len) {
                if (s[i++] != '.')
                    return EDDY_EPARSE;
                int nd = 0;
                for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++)
                    if (nd < 3)
                        frac = frac * 10 + (s[i] - '0');
                if (nd == 0 || nd > 9)
                    return EDDY_EPARSE;
                for (; nd < 3; nd++)
                    frac *= 10;
            }
        }
    }
    if (i != len || h > 23 || mi > 59 || sec > 59)
        return EDDY_EPARSE;
    *ms = ((h * 60 + mi) * 60 + sec) * 1000 + frac;
    return 0;
}

/* java.time.ZoneOffset.of: +h, +hh, +hh:mm, +hhmm, +hh:mm:ss, +hhmmss (or '-'), at most
 * 18 hours. */
static int parse_offset(const char *s, size_t len, int32_t *seconds)
{
    size_t i = 1;
    int h = 0, m = 0, sec = 0;
    if (len < 2 || (s[0] != '+' && s[0] != '-'))
        return EDDY_EPARSE;
    if (len == 2) {
        if (!num(s, len, &i, 1, &h))
            return EDDY_EPARSE;
    } else {
        if (!num(s, len, &i, 2, &h))
            return EDDY_EPARSE;
        bool colon = i < len && s[i] == ':';
        if (i < len) {
            i += colon;
            if (!num(s, len, &i, 2, &m))
                return EDDY_EPARSE;
            if (i < len) {
                if (colon && s[i++] != ':')
                    return EDDY_EPARSE;
                if (!num(s, len, &i, 2, &sec))
                    return EDDY_EPARSE;
            }
        }
    }
    if (i != len || h > 18 || m > 59 || sec > 59 || (h == 18 && (m || sec)))
        return EDDY_EPARSE;
    *seconds = (s[0] == '-' ? -1 : 1) * ((h * 60 + m) * 60 + sec);
    return 0;
}

/* ksqlDB's SqlTimeTypes.parseDate goes through the partial timestamp parser: "2020",
 * "2020-01" and "2020-01-31" are accepted (qtt date.json: '1970-01' is day 0). */
int eddy_parse_date(const char *s, size_t len, int32_t *days)
{
    int64_t d;
    int rc = parse_ymd(s, len, true, &d);
    if (rc)
        return rc;
    if (d < INT32_MIN || d > INT32_MAX)
        return EDDY_ERANGE;
    *days = (int32_t)d;
    return 0;
}

/* java.time.LocalTime.parse: HH:mm[:ss[.fraction]]. */
int eddy_parse_time(const char *s, size_t len, int32_t *ms)
{
    return parse_hms(s, len, false, ms);
}

/* ksqlDB's PartialStringToTimestampParser: without a 'T' the text is a (partial) date at
 * midnight UTC; with one, the date must be complete, the time may stop after the hour or
 * the minutes, a trailing 'Z' means UTC, and an offset starts at the first '+' or '-'
 * after the 'T'. */
int eddy_parse_timestamp(const char *s, size_t len, int64_t *ms)
{
    const char *t = memchr(s, 'T', len);
    int64_t days;
    int rc;
    if (!t) {
        if ((rc = parse_ymd(s, len, true, &days)))
            return rc;
        *ms = days * MS_PER_DAY;
        return 0;
    }
    if ((rc = parse_ymd(s, (size_t)(t - s), false, &days)))
        return rc;
    const char *r = t + 1, *end = s + len;
    const char *tz = memchr(r, '+', (size_t)(end - r));
    if (!tz)
        tz = memchr(r, '-', (size_t)(end - r));
    int32_t off = 0;
    if (tz && (rc = parse_offset(tz, (size_t)(end - tz), &off)))
        return rc;
    const char *tend = tz ? tz : end;
    if (tend > r && tend[-1] == 'Z')
        tend--;
    int32_t tms;
    if ((rc = parse_hms(r, (size_t)(tend - r), true, &tms)))
        return rc;
    *ms = days * MS_PER_DAY + tms - (int64_t)off * 1000;
    return 0;
}
