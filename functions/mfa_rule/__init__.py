"""Cloud Config custom rule: RAM users allowed dangerous actions without MFA must have an MFA device.

Modules: `event` (parse and validate the Config event), `facts` (what the decision needs
to know about a user, as an interface), `ram_facts` (that interface over the RAM API, with
the policy cache and bounded concurrency), `snapshot` (the same interface over an account
snapshot, for `python -m baseline evaluate` and tests), `decide` (the pure decision),
`rule` (one user's evaluation: gather facts, decide, fail closed), `sweep` (all users),
`report` (PutEvaluations), `handler` (the FC entry point, which never raises).
"""
