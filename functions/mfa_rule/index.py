"""FC handler `index.handler`: packaged at the zip's root, next to the `functions` and `policies` packages."""

from functions.mfa_rule.handler import handler

__all__ = ["handler"]
