"""The policy language: parse, evaluate and reason about RAM and IAM policies (standard library only).

- `parse_policy(document, dialect, name)` validates a document (`aws` or `ram`) into a `Policy`;
  errors are `PolicyError("<path>: <reason>")`.
- `evaluate(policies, Request(...))` decides one request: Allowed / ExplicitlyDenied /
  ImplicitlyDenied, with the deciding statements.
- `holds(policies, pattern, context, unknown_keys)` answers whether some action matching a
  wildcard pattern is allowed on some resource, exactly over the wildcard languages, with a
  witness action.
- `policies.documents` loads the JSON policy documents shipped under `policies/documents/`.
"""

from policies.errors import PolicyError
from policies.evaluate import evaluate
from policies.holds import OTHER_KEYS_UNKNOWN, holds
from policies.model import Condition, Decision, Evaluation, Holds, Policy, Request, Statement, StatementRef
from policies.parse import parse_policy

__all__ = [
    "OTHER_KEYS_UNKNOWN",
    "Condition",
    "Decision",
    "Evaluation",
    "Holds",
    "Policy",
    "PolicyError",
    "Request",
    "Statement",
    "StatementRef",
    "evaluate",
    "holds",
    "parse_policy",
]
