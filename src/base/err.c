#include "base/err.h"

#include "base/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool gh_fail(gh_err *err, const char *code, int status, const char *fmt, ...)
{
	if (!err)
		return false;
	err->code = code;
	err->status = status;
	/* Formatted apart and then copied: callers may pass err->msg itself as an argument
	 * (re-coding an error), and vsnprintf into its own source is undefined. */
	char msg[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memcpy(err->msg, msg, sizeof msg);
	return false;
}

bool gh_fail_wrap(gh_err *err, const char *fmt, ...)
{
	if (!err)
		return false;
	char prefix[GH_ERR_MSG_MAX], old[GH_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	/* Truncation is acceptable: the message is for people and stays bounded. */
	gh_buf b = { 0 };
	gh_buf_printf(&b, "%s: %s", prefix, old);
	snprintf(err->msg, sizeof err->msg, "%s", b.p ? b.p : prefix);
	gh_buf_free(&b);
	return false;
}

void gh_err_clear(gh_err *err)
{
	if (!err)
		return;
	err->code = NULL;
	err->status = 0;
	err->msg[0] = '\0';
}
