"""OData query options as Graph supports them here: $filter, $select, $orderby, $top, $skip."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from m365_sandbox.core.errors import GraphError

Predicate = Callable[[Mapping[str, Any]], bool]
Operand = Callable[[Mapping[str, Any]], Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<datetime>\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<punct>[(),:])
      | (?P<name>[A-Za-z_@$][\w.@$]*(?:/[A-Za-z_@$][\w.@$]*)*)
    )""",
    re.VERBOSE,
)
_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
_STRING_FUNCTIONS = {"startswith", "endswith"}
_KEYWORDS = frozenset({"and", "or", "not", "true", "false", "null", *_COMPARISONS})
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


class ODataError(ValueError):
    """A query option that cannot be parsed or is not supported."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ODataError(f"Invalid filter clause: syntax error at position {position} in '{text}'.")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def lookup(item: Mapping[str, Any], path: str) -> Any:
    """The value at a slash-separated property path (None when missing)."""
    value: Any = item
    for part in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class DateTimeLiteral:
    """A date-time literal of a $filter (``2031-03-03T08:00:00Z``): compared as a moment, not as text."""

    text: str
    moment: datetime


def parse_moment(text: str) -> datetime | None:
    """An aware datetime for ISO text (up to 7 fractional digits, ``Z``; naive means UTC), else None."""
    cleaned = _FRACTION.sub(r"\1", text.strip())
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _moment_or_text(value: Any, literal: DateTimeLiteral) -> tuple[Any, Any]:
    """(value, literal) as two moments when ``value`` is date-time text, else as two strings."""
    moment = parse_moment(value) if isinstance(value, str) else None
    return (moment, literal.moment) if moment is not None else (value, literal.text)


def _normalize(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(right, DateTimeLiteral):
        left, right = _moment_or_text(left, right)
    elif isinstance(left, DateTimeLiteral):
        right, left = _moment_or_text(right, left)
    left, right = _normalize(left), _normalize(right)
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        if op == "gt":
            return bool(left > right)
        if op == "ge":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        return bool(left <= right)
    except TypeError:
        return False


class _Parser:
    """Recursive-descent parser turning a $filter expression into a predicate."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.variables: set[str] = set()

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (text is not None and token.text.lower() != text):
            raise ODataError(f"Invalid filter clause: expected '{text or 'a value'}'.")
        self.index += 1
        return token

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text.lower() == word

    def parse(self) -> Predicate:
        predicate = self.or_expression()
        rest = self.peek()
        if rest is not None:
            raise ODataError(f"Invalid filter clause: unexpected '{rest.text}'.")
        return predicate

    def or_expression(self) -> Predicate:
        parts = [self.and_expression()]
        while self.is_keyword("or"):
            self.take()
            parts.append(self.and_expression())
        return parts[0] if len(parts) == 1 else (lambda item: any(p(item) for p in parts))

    def and_expression(self) -> Predicate:
        parts = [self.unary()]
        while self.is_keyword("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda item: all(p(item) for p in parts))

    def unary(self) -> Predicate:
        if self.is_keyword("not"):
            self.take()
            inner = self.unary()
            return lambda item: not inner(item)
        token = self.peek()
        if token is not None and token.text == "(":
            self.take("(")
            inner = self.or_expression()
            self.take(")")
            return inner
        left = self.operand()
        following = self.peek()
        if following is not None and following.text.lower() in _COMPARISONS:
            op = self.take().text.lower()
            right = self.operand()
            return lambda item: _compare(op, left(item), right(item))
        return lambda item: bool(left(item))

    def operand(self) -> Operand:
        token = self.take()
        if token.kind == "string":
            value = token.text[1:-1].replace("''", "'")
            return lambda item: value
        if token.kind == "datetime":
            moment = parse_moment(token.text)
            if moment is None:
                raise ODataError(f"Invalid filter clause: '{token.text}' is not a valid date-time.")
            literal = DateTimeLiteral(token.text, moment)
            return lambda item: literal
        if token.kind == "number":
            number = float(token.text) if "." in token.text else int(token.text)
            return lambda item: number
        if token.kind != "name":
            raise ODataError(f"Invalid filter clause: unexpected '{token.text}'.")
        word = token.text.lower()
        if word in {"true", "false"}:
            flag = word == "true"
            return lambda item: flag
        if word == "null":
            return lambda item: None
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            return self.function(word)
        return self.path(token.text)

    def path(self, text: str) -> Operand:
        head, _, rest = text.partition("/")
        if head in self.variables:
            return lambda item: lookup(item, f"{head}/{rest}" if rest else head)
        if text.endswith("/any") or text.endswith("/all"):
            raise ODataError("Invalid filter clause: lambda operators need an argument.")
        return lambda item: lookup(item, text)

    def function(self, name: str) -> Operand:
        self.take("(")
        if name in _STRING_FUNCTIONS:
            target = self.operand()
            self.take(",")
            needle = self.operand()
            self.take(")")
            return lambda item: _string_function(name, target(item), needle(item))
        raise ODataError(f"Invalid filter clause: the function '{name}' is not supported.")


def _string_function(name: str, haystack: Any, needle: Any) -> bool:
    if not isinstance(haystack, str) or not isinstance(needle, str):
        return False
    hay, pin = haystack.lower(), needle.lower()
    return hay.startswith(pin) if name == "startswith" else hay.endswith(pin)


def filter_properties(text: str) -> list[str]:
    """The property paths a $filter uses, in order of first appearance (functions and keywords left out).

    Graph's mailbox queries need this: properties in $orderby must come first in $filter.
    """
    tokens = _tokenize(text)
    found: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind != "name" or token.text.lower() in _KEYWORDS:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.text in {"(", ":"}:
            continue  # a function, or a lambda variable's declaration
        if token.text not in found:
            found.append(token.text)
    return found


def _lambda_paths(text: str) -> str:
    """Rewrite ``coll/any(x:x/p eq 1)`` into ``any(coll,x,x/p eq 1)`` for the parser."""
    return re.sub(r"([A-Za-z_][\w/]*)/(any|all)\(\s*(\w+)\s*:", r"\2_(\1,\3,", text)


def parse_filter(text: str) -> Predicate:
    """Parse a $filter expression into a predicate over JSON objects (string compares ignore case)."""
    rewritten = _lambda_paths(text)
    if rewritten != text:
        return _LambdaParser(rewritten).parse()
    return _Parser(text).parse()


class _LambdaParser(_Parser):
    """A parser that also understands ``any_(collection, var, expr)`` produced by the rewrite."""

    def function(self, name: str) -> Operand:
        if name not in {"any_", "all_"}:
            return super().function(name)
        self.take("(")
        collection = self.take().text
        self.take(",")
        variable = self.take().text
        self.take(",")
        self.variables.add(variable)
        body = self.or_expression()
        self.take(")")
        quantifier = any if name == "any_" else all

        def evaluate(item: Mapping[str, Any]) -> bool:
            values = lookup(item, collection)
            if not isinstance(values, list):
                return False
            return quantifier(body({**item, variable: value}) for value in values)

        return evaluate


@dataclass(frozen=True)
class QueryOptions:
    """The OData system query options of a request."""

    filter: Predicate | None
    select: tuple[str, ...] | None
    orderby: tuple[tuple[str, bool], ...]
    top: int | None
    skip: int


def parse_query(request: web.Request, filter_error_code: str, max_top: int = 999) -> QueryOptions:
    """Read $filter, $select, $orderby, $top and $skip (400 with ``filter_error_code`` on errors)."""
    query = request.query
    predicate = None
    raw_filter = _option(query, "filter")
    if raw_filter:
        try:
            predicate = parse_filter(raw_filter)
        except ODataError as exc:
            raise GraphError(400, filter_error_code, str(exc)) from exc
    select = None
    raw_select = _option(query, "select")
    if raw_select:
        select = tuple(s.strip() for s in raw_select.split(",") if s.strip())
    orderby: list[tuple[str, bool]] = []
    for part in (_option(query, "orderby") or "").split(","):
        words = part.split()
        if words:
            orderby.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
    top = _integer(_option(query, "top"), "$top", 1, max_top)
    skip = _integer(_option(query, "skip"), "$skip", 0, 10**9) or 0
    return QueryOptions(predicate, select, tuple(orderby), top, skip)


def _option(query: Mapping[str, str], name: str) -> str | None:
    return query.get(f"${name}") or query.get(name)


def _integer(raw: str | None, name: str, low: int, high: int) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise GraphError(400, "BadRequest", f"Invalid value '{raw}' for query option '{name}'.") from exc
    if not low <= value <= high:
        raise GraphError(400, "BadRequest", f"The value of '{name}' must be between {low} and {high}.")
    return value


def apply_order(items: list[dict[str, Any]], orderby: Sequence[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Sort by $orderby keys (stable, None first)."""
    result = list(items)
    for path, descending in reversed(orderby):
        result.sort(key=lambda item: _sort_key(lookup(item, path)), reverse=descending)
    return result


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value.lower())
    if isinstance(value, bool | int | float):
        return (2, value)
    return (3, str(value))


def select_properties(item: dict[str, Any], select: Sequence[str] | None, always: Sequence[str]) -> dict[str, Any]:
    """Keep only the $select-ed properties (plus ``always`` and annotations); unset ones are null."""
    if not select:
        return item
    wanted = set(select) | set(always)
    return {k: v for k, v in item.items() if k in wanted or k.startswith("@")} | {
        name: None for name in select if name not in item
    }


def page(
    request: web.Request, items: list[dict[str, Any]], options: QueryOptions, default_size: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` and the ``@odata.nextLink`` for the next page, if any."""
    size = options.top or default_size
    chunk = items[options.skip : options.skip + size]
    if options.skip + size >= len(items):
        return chunk, None
    params = {k: v for k, v in request.query.items() if k not in {"$skip", "skip", "$top", "top"}}
    params["$top"] = str(size)
    params["$skip"] = str(options.skip + size)
    return chunk, f"{request.url.with_query(None)}?{urlencode(params)}"
