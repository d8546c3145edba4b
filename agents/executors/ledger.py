"""Applies an approved action to the tenant's own data in Walker's database, with the action type's executor
(its spec's `execute`, agents.action_specs).

hitl calls this inside the transaction that holds the approval's row lock, so nothing
here commits on its own: the row being changed is locked for the rest of that
transaction, and inserts run in a savepoint so that losing a uniqueness race raises
ExecutionError and leaves the caller's transaction usable for recording the failure.
"""

from agents import action_specs
from agents.executors.base import ExecutionError, ExecutionRequest, ExecutionResult


class LedgerExecutor:
    destination = ""  # nowhere: Walker's own rows, in the approval's transaction

    def execute(self, request: ExecutionRequest) -> ExecutionResult:
        spec = action_specs.spec_for(request.action_type)
        if spec is None:
            raise ExecutionError(f"Walker cannot carry out “{request.action_type}” actions itself")
        return spec.execute(request.tenant, request.action_data)
