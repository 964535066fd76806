#!/usr/bin/python3
"""Checks reports against reports/report.schema.json (JSON Schema draft 7, Debian's python3-jsonschema).

usage: check_schema.py SCHEMA REPORT... ; exit 0 when every report is valid, 1 naming the first error.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, reports = sys.argv[1], sys.argv[2:]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    failed = 0
    for path in reports:
        with open(path) as f:
            report = json.load(f)
        error = next(iter(sorted(validator.iter_errors(report), key=lambda e: list(e.path))), None)
        if error is None:
            print(f"valid: {path}")
        else:
            where = "/".join(str(p) for p in error.path)
            print(f"INVALID: {path}: at '{where}': {error.message[:300]}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
