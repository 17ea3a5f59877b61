"""FC handler `index.handler`: packaged at the zip's root, next to the `functions` package."""

from functions.oss_acl_remediation.handler import handler

__all__ = ["handler"]
