/* common.c: error names, the errstr helper and clocks. */
#include "eddy/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static const struct {
    int code;
    const char *name, *text;
} errors[] = {
    {EDDY_OK, "OK", "success"},
    {EDDY_EINVAL, "EINVAL", "invalid argument or definition"},
    {EDDY_ENOMEM, "ENOMEM", "out of memory"},
    {EDDY_EIO, "EIO", "I/O error"},
    {EDDY_EPARSE, "EPARSE", "malformed input"},
    {EDDY_ETYPE, "ETYPE", "wrong type"},
    {EDDY_ENOTFOUND, "ENOTFOUND", "not found"},
    {EDDY_EABI, "EABI", "plugin ABI mismatch"},
    {EDDY_EEXIST, "EEXIST", "duplicate name"},
    {EDDY_ERANGE, "ERANGE", "value out of range"},
    {EDDY_EFUNC, "EFUNC", "function failed"},
    {EDDY_EAGAIN, "EAGAIN", "temporarily unavailable"},
    {EDDY_EOF, "EOF", "end of input"},
    {EDDY_ESTATE, "ESTATE", "invalid state"},
    {EDDY_EINTERNAL, "EINTERNAL", "internal error"},
};

const char *eddy_err_name(int code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return errors[i].name;
    return "EUNKNOWN";
}

const char *eddy_strerror(int code)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code)
            return errors[i].text;
    return "unknown error";
}

bool eddy_error_is_retriable(int code)
{
    return code == EDDY_EAGAIN || code == EDDY_EIO;
}

int eddy_seterr(char *errstr, size_t errstr_size, int code, const char *fmt, ...)
{
    if (errstr && errstr_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
    }
    return code;
}

int64_t eddy_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t eddy_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
