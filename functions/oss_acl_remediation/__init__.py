"""Remediation of OSS buckets that Cloud Config reports as publicly readable (MNS topic trigger).

Modules: `settings` (environment), `event` (every MNS delivery shape -> the Config
non-compliance event), `remediate` (read the ACL, set it private with oss2), `handler`.
"""
