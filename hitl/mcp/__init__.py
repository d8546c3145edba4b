"""Walker's MCP server (issue 49): agents built elsewhere ask for approval through MCP tools at `/mcp/`.

The tools file, read and report through the same services as `/api/v1/approval-requests/` (hitl.services.outside,
hitl.services.outside_results): no second approval path. `tools` holds what each tool does, `server` the MCP
protocol over streamable HTTP and the integration token that authenticates every request.
"""
