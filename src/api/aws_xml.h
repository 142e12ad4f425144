/* aws_xml: the AWS query protocol's XML shapes for IAM and STS (botocore's iam and sts
 * models: member lists, ISO 8601 dates, ResponseMetadata) and its error document. */
#ifndef GH_API_AWS_XML_H
#define GH_API_AWS_XML_H

#include "base/err.h"
#include "base/str.h"
#include "store/iam_store.h"

#define IAM_XMLNS "https://iam.amazonaws.com/doc/2010-05-08/"
#define STS_XMLNS "https://sts.amazonaws.com/doc/2011-06-15/"

/* <ActionResponse xmlns><ActionResult> ... and the closing part with the request id. */
void aws_xml_begin(gh_buf *b, const char *action, const char *xmlns, bool has_result);
void aws_xml_end(gh_buf *b, const char *action, const char *request_id, bool has_result);
void aws_xml_error(gh_buf *b, const gh_err *err, const char *request_id);

void aws_xml_user(gh_buf *b, const char *tag, const iam_user *u);
void aws_xml_role(gh_buf *b, const char *tag, const iam_role *r);
void aws_xml_tags(gh_buf *b, const iam_tag *tags, size_t n);
void aws_xml_date(gh_buf *b, const char *tag, int64_t t);

#endif
