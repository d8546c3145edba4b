"""The schema of a tenant's action type is draft 2020-12, bounded and self-contained; args are bounded too."""

import pytest

from agents.tenant_actions import schemas
from tests.action_types.conftest import SCHEMA


def nested(levels: int) -> dict:
    """An object schema nesting `levels` objects below the top one: 2 levels of JSON per object, plus 3."""
    inner = {"type": "string"}
    for _ in range(levels):
        inner = {"type": "object", "properties": {"x": inner}}
    return {"type": "object", "properties": {"x": inner}}


def test_a_good_schema_passes():
    assert schemas.schema_problem(SCHEMA) is None
    assert schemas.schema_problem({k: v for k, v in SCHEMA.items() if k != "$schema"}) is None  # 2020-12 implied


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ([], "must be a JSON object"),
        ({"type": "object", "properties": {"a": {"type": "strnig"}}}, "Not a valid JSON Schema (properties/a/type)"),
        ({"type": "object", "properties": {"a": {"minLength": -1}}}, "Not a valid JSON Schema"),
        ({"type": "object", "properties": {"a": {"pattern": "(["}}}, "Not a valid JSON Schema"),
        ({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {}}, "draft 2020-12"),
        ({"type": "string"}, "must describe an object"),
        ({"type": "object", "properties": {}}, "must describe an object"),
        ({"type": "object"}, "must describe an object"),
        ({"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}, "only refer to its own"),
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}, "which it does not hold"),
    ],
    ids=["not-object", "bad-type", "bad-keyword", "bad-regex", "draft-07", "string", "no-fields", "no-properties",
         "remote-ref", "missing-ref"],
)  # fmt: skip
def test_a_bad_schema_is_refused_saying_why(schema, words):
    assert words in (schemas.schema_problem(schema) or "")


def test_local_references_that_exist_are_welcome():
    schema = {
        "type": "object",
        "$defs": {"money": {"type": "number", "minimum": 0}},
        "properties": {"amount": {"$ref": "#/$defs/money"}},
    }
    assert schemas.schema_problem(schema) is None
    assert schemas.args_problem(schema, {"amount": -1}) == "amount: -1 is less than the minimum of 0"


def test_a_schema_too_big_or_too_deep_is_refused_before_it_is_read():
    big = {"type": "object", "properties": {"a": {"type": "string", "description": "x" * schemas.MAX_SCHEMA_BYTES}}}
    assert "at most 32768 bytes" in schemas.schema_problem(big)
    assert (schemas.depth(nested(6)), schemas.depth(nested(7))) == (15, 17)
    assert schemas.schema_problem(nested(6)) is None  # args nesting six objects below the top: enough
    assert "nest at most 16 levels" in schemas.schema_problem(nested(7))


def test_args_are_checked_as_draft_2020_12():
    schema = {"type": "object", "properties": {"pair": {"type": "array", "prefixItems": [{"type": "string"}]}}}
    assert schemas.args_problem(schema, {"pair": ["a"]}) is None
    assert schemas.args_problem(schema, {"pair": [1]}) == "pair.0: 1 is not of type 'string'"  # draft 7 ignores it
    assert schemas.args_problem(SCHEMA, {"campaign": "c"}) == "'amount' is a required property"


def test_args_too_big_or_too_deep_are_refused_before_validation():
    loose = {"type": "object", "properties": {"a": {}}}
    assert "at most 65536 bytes" in schemas.args_problem(loose, {"a": "x" * schemas.MAX_ARGS_BYTES})
    deep = {"a": 1}
    for _ in range(schemas.MAX_ARGS_DEPTH):
        deep = {"a": deep}
    assert "nest at most 8 levels" in schemas.args_problem(loose, deep)


def test_size_and_depth_read_json_as_sent():
    assert schemas.size({"a": "é"}) == len('{"a":"é"}'.encode())
    depths = [schemas.depth(value) for value in (1, {}, {"a": [1]}, [[{"b": {}}]])]
    assert depths == [0, 1, 2, 4]
