/* eks_errors: the EKS error codes (botocore eks/2017-11-01 shapes, rest-json `__type`) and
 * their HTTP statuses, shared by the EKS domain modules.
 *
 * Every EKS rule in src/domain/eks fails through gh_fail with one of these codes as
 * gh_err.code and the matching status, so the API adapter writes
 * {"message": err.msg} with header x-amzn-ErrorType: err.code and status err.status.
 * Several EKS exceptions also carry a clusterName member; the adapter adds it from the
 * request, the domain does not know it in every case. */
#ifndef GH_EKS_ERRORS_H
#define GH_EKS_ERRORS_H

#define GH_EKS_INVALID_PARAMETER "InvalidParameterException" /* 400 */
#define GH_EKS_INVALID_REQUEST "InvalidRequestException"     /* 400 */
#define GH_EKS_RESOURCE_IN_USE "ResourceInUseException"     /* 409 */
#define GH_EKS_RESOURCE_NOT_FOUND "ResourceNotFoundException" /* 404 */
#define GH_EKS_SERVER "ServerException"			      /* 500 */

#define GH_EKS_STATUS_INVALID_PARAMETER 400
#define GH_EKS_STATUS_INVALID_REQUEST 400
#define GH_EKS_STATUS_RESOURCE_IN_USE 409
#define GH_EKS_STATUS_RESOURCE_NOT_FOUND 404
#define GH_EKS_STATUS_SERVER 500

#endif
