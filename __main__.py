"""Pulumi entry point: `pulumi up --stack <env>` (see components.program)."""

from components.program import main

main()
