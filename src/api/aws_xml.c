#include "api/aws_xml.h"

#include <stdio.h>

#include "base/timefmt.h"
#include "codec/xml.h"

void aws_xml_begin(gh_buf *b, const char *action, const char *xmlns, bool has_result)
{
	char tag[96];
	snprintf(tag, sizeof tag, "%sResponse", action);
	xml_open_ns(b, tag, xmlns);
	if (has_result) {
		snprintf(tag, sizeof tag, "%sResult", action);
		xml_open(b, tag);
	}
}

void aws_xml_end(gh_buf *b, const char *action, const char *request_id, bool has_result)
{
	char tag[96];
	if (has_result) {
		snprintf(tag, sizeof tag, "%sResult", action);
		xml_close(b, tag);
	}
	xml_open(b, "ResponseMetadata");
	xml_elem(b, "RequestId", request_id);
	xml_close(b, "ResponseMetadata");
	snprintf(tag, sizeof tag, "%sResponse", action);
	xml_close(b, tag);
}

void aws_xml_error(gh_buf *b, const gh_err *err, const char *request_id)
{
	/* Type tells SDKs who is at fault; only server failures are "Receiver". */
	bool server = err->status >= 500;
	gh_buf_puts(b, "<ErrorResponse>");
	xml_open(b, "Error");
	xml_elem(b, "Type", server ? "Receiver" : "Sender");
	xml_elem(b, "Code", err->code ? err->code : "InternalFailure");
	xml_elem(b, "Message", err->msg);
	xml_close(b, "Error");
	xml_elem(b, "RequestId", request_id);
	gh_buf_puts(b, "</ErrorResponse>");
}

void aws_xml_date(gh_buf *b, const char *tag, int64_t t)
{
	char iso[GH_ISO8601_LEN + 1];
	gh_time_iso8601(t, iso);
	xml_elem(b, tag, iso);
}

void aws_xml_tags(gh_buf *b, const iam_tag *tags, size_t n)
{
	if (!n)
		return;
	xml_open(b, "Tags");
	for (size_t i = 0; i < n; i++) {
		xml_open(b, "member");
		xml_elem_str(b, "Key", tags[i].key);
		xml_elem_str(b, "Value", tags[i].value);
		xml_close(b, "member");
	}
	xml_close(b, "Tags");
}

void aws_xml_user(gh_buf *b, const char *tag, const iam_user *u)
{
	xml_open(b, tag);
	xml_elem(b, "Path", u->path);
	xml_elem(b, "UserName", u->name);
	xml_elem(b, "UserId", u->id);
	xml_elem(b, "Arn", u->arn);
	aws_xml_date(b, "CreateDate", u->created);
	aws_xml_tags(b, u->tags, u->ntags);
	xml_close(b, tag);
}

/* IAM returns policy documents URL-encoded (RFC 3986); botocore decodes them. */
static void put_urlencoded(gh_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			gh_buf_putc(b, (char)*p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			gh_buf_put(b, esc, 3);
		}
	}
}

void aws_xml_role(gh_buf *b, const char *tag, const iam_role *r)
{
	xml_open(b, tag);
	xml_elem(b, "Path", r->path);
	xml_elem(b, "RoleName", r->name);
	xml_elem(b, "RoleId", r->id);
	xml_elem(b, "Arn", r->arn);
	aws_xml_date(b, "CreateDate", r->created);
	gh_buf enc = { 0 };
	put_urlencoded(&enc, r->trust_policy ? r->trust_policy : "");
	xml_elem_str(b, "AssumeRolePolicyDocument", gh_buf_str(&enc));
	gh_buf_free(&enc);
	if (r->description && *r->description)
		xml_elem(b, "Description", r->description);
	xml_elem_i64(b, "MaxSessionDuration", r->max_session);
	aws_xml_tags(b, r->tags, r->ntags);
	xml_open(b, "RoleLastUsed");
	xml_close(b, "RoleLastUsed");
	xml_close(b, tag);
}
