"""The metric label of a SQL text: its verb and first table ("SELECT properties"), never its literals."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pglast import ast, parser, visitors

# Statements whose verb the node says better than the text does ("WITH ... SELECT" is a SELECT).
_VERBS = {
    ast.SelectStmt: "SELECT",
    ast.InsertStmt: "INSERT",
    ast.UpdateStmt: "UPDATE",
    ast.DeleteStmt: "DELETE",
    ast.MergeStmt: "MERGE",
}
_WORD = re.compile(r"[A-Za-z_]+")
MAX_LENGTH = 80
UNPARSED = "unparsed"


class _Names(visitors.Visitor):
    """The tables, common table expressions and functions a statement names, with where each stands in the text."""

    def __init__(self) -> None:
        self.tables: list[tuple[int, str]] = []
        self.ctes: set[str] = set()
        self.functions: list[tuple[int, str]] = []

    def visit_RangeVar(self, ancestors: Any, node: ast.RangeVar) -> None:
        if node.relname:
            self.tables.append((node.location or 0, node.relname))

    def visit_CommonTableExpr(self, ancestors: Any, node: ast.CommonTableExpr) -> None:
        if node.ctename:
            self.ctes.add(node.ctename)

    def visit_FuncCall(self, ancestors: Any, node: ast.FuncCall) -> None:
        if node.funcname:
            self.functions.append((node.location or 0, node.funcname[-1].sval))


@lru_cache(maxsize=4096)
def statement_label(sql: str) -> str:
    """ "SELECT properties", "INSERT leads", "SELECT pg_advisory_xact_lock" (no table: the first function), "BEGIN";
    statements sent together are joined with "; " (asyncpg's reset on release is one such text).

    Read by PostgreSQL's own parser (pglast wraps libpg_query) rather than a regular expression: a CTE, a subquery, a
    comment or a string holding "FROM" would each fool a pattern. Parsing costs about 0.1 ms, so each text is parsed
    once and remembered: the texts are the services' own constant statements, a bounded set."""
    try:
        statements = parser.parse_sql(sql)
    except parser.ParseError:
        return UNPARSED
    labels = [_label(sql, raw) for raw in statements]
    return "; ".join(labels)[:MAX_LENGTH] or UNPARSED


def _label(sql: str, raw: ast.RawStmt) -> str:
    statement = raw.stmt
    assert statement is not None  # a parsed statement always has its node
    verb = _VERBS.get(type(statement))
    if verb is None:
        # Any other statement (BEGIN, SET, LOCK, NOTIFY, ...): its first word, which the parser located past comments.
        word = _WORD.search(sql, raw.stmt_location or 0)
        verb = word[0].upper() if word else type(statement).__name__
    names = _Names()
    names(statement)
    target = getattr(statement, "relation", None)
    if verb != "SELECT" and isinstance(target, ast.RangeVar):
        return f"{verb} {target.relname}"
    tables = sorted((at, name) for at, name in names.tables if name not in names.ctes)
    if tables:
        return f"{verb} {tables[0][1]}"
    if names.functions:
        return f"{verb} {min(names.functions)[1]}"
    return verb
