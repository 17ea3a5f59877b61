"""Pulumi type tokens of the resources the guardrails inspect (`<provider>:<module>/<name>:<Type>`)."""

V3_FUNCTION = "alicloud:fc/v3Function:V3Function"
FC2_FUNCTION = "alicloud:fc/function:Function"
RAM_POLICY = "alicloud:ram/policy:Policy"
RAM_ROLE_POLICY_ATTACHMENT = "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment"
CONFIG_RULE = "alicloud:cfg/rule:Rule"
AGGREGATE_CONFIG_RULE = "alicloud:cfg/aggregateConfigRule:AggregateConfigRule"
RAM_ROLE = "alicloud:ram/role:Role"
AWS_IAM_POLICY = "aws:iam/policy:Policy"
OSS_BUCKET = "alicloud:oss/bucket:Bucket"
OSS_BUCKET_ACL = "alicloud:oss/bucketAcl:BucketAcl"
RAM_PASSWORD_POLICY = "alicloud:ram/passwordPolicy:PasswordPolicy"  # noqa: S105 - a type token
RAM_SECURITY_PREFERENCE = "alicloud:ram/securityPreference:SecurityPreference"
FUNCTION_TYPES = (V3_FUNCTION, FC2_FUNCTION)
