"""Facts about a Node.js project that the function-mode, agent-mode and dependency rules share:
package.json with key locations, which JavaScript/TypeScript files are service code (parsed once
with tree-sitter), what a module exports and imports, `cloudbase-functions.json`, BotId literals,
whether a bot's sendMessage ends its SSE stream, and what git tracks. Nothing here runs project code.
"""
