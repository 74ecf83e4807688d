#!/usr/bin/env python3
"""Writes test/fixtures/codec/cases.json: the input table the Go oracle decodes (see README.md)."""
import json, os

cases = []
def add(name, text):
    cases.append({"name": name, "input": text})

# Plain scalars as a value: every row is `v: <scalar>`.
scalars = {
    "int": ["0", "12", "-12", "+12", "00", "-0", "+0", "0o17", "0O17", "0o0", "-0o17", "017", "08", "09", "0x1F", "0X1f", "-0x1F",
            "0b101", "0B101", "-0b101", "+0b101", "1_000", "0x_1F", "0o_17", "1__0", "_1", "1_", "0b1_0",
            "9007199254740991", "9007199254740993", "-9007199254740993", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
            "0x7FFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "0b" + "1" * 64, "-0b" + "1" * 63, "0777777777777777777777"],
    "float": ["1e3", "1E3", "1.5", ".5", "-.5", "+.5", "1.", "1.0e+3", "1_000.5", "0.1", "3.14159265358979", "1e400", "-1e400",
              "6.02e23", "1e-7", "1e21", "1e20", "123456789012345678901234567890", "0x1p-2", "1e", "e3", "1.2.3", "0.0.1", ".",
              "-", "+", "1e+", "0.", "-0.0", ".1_0"],
    "inf-nan": [".inf", "-.inf", "+.inf", ".Inf", ".INF", "+.Inf", "-.INF", ".nan", ".NaN", ".NAN", ".nAn", "inf", "nan", "Infinity", ".infinity", "-.nan", "NaN"],
    "bool": ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
             "on", "On", "ON", "off", "Off", "OFF", "yEs", "oN", "tRue", "nO", "t", "f"],
    "null": ["~", "null", "Null", "NULL", "nULL", ""],
    "timestamp": ["2001-12-14", "2001-01-01", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z",
                  "2001-1-2", "20011214", "2001-12-14 21:59:43.10 -5", "2001-13-01", "1-2-3"],
    "sexagesimal": ["1:0", "190:20:30", "-1:30", "1:30.5", "12:30:00", "0:0"],
    "string": ["0o8", "0x", "0b", "0b2", "1-2", "<<x", "~x", "yes please", "'quoted'", "a#b", "-x", "+x", "0o1_7"],
}
for cat, items in scalars.items():
    for s in items:
        add(f"scalar {cat} {s!r}", f"v: {s}\n")

for q in ['"12"', "'12'", '"yes"', "'on'", '"0o17"', '"~"', '""', '"1:0"', '"2001-01-01"', '"\\t\\u00e9\\x41"', "'it''s'", '"a\\/b"']:
    add(f"quoted {q}", f"v: {q}\n")

for t in ["!!str 12", "!!str yes", "!!int \"12\"", "!!int 0o17", "!!float 1", "!!float \"1.5\"", "!!bool yes", "!!bool \"true\"",
          "!!binary aGVsbG8=", "!!null ~", "!!null \"\"", "!foo bar", "!foo 12", "!!int abc", "!!float abc", "!!bool 1",
          "!!timestamp 2001-01-01", "!!str", "!!map {a: 1}", "!!seq [1, 2]", "!foo {a: 1}", "!foo [1]", "!!binary '!!'", "! 12",
          "!<tag:yaml.org,2002:int> 7", "!!merge <<"]:
    add(f"tag {t}", f"v: {t}\n")

for k in ["1", "1.5", "0x10", "yes", "~", "null", "1e3", "1e7", ".inf", "0.1", "3.14159265358979", "-7", "9223372036854775807",
          "18446744073709551615", "2001-01-01", "1:0", "\"quoted\"", "? complex", "[a]", "{a: 1}", "''", "true", "0o17"]:
    add(f"key {k}", f"{k}: v\n")

# Merge keys and anchors.
add("merge basic", "base: &b {a: 1, b: 2}\nv:\n  <<: *b\n  c: 3\n")
add("merge explicit key after wins", "base: &b {a: 1, b: 2}\nv:\n  <<: *b\n  a: 9\n")
add("merge overrides explicit key before", "base: &b {a: 1, b: 2}\nv:\n  a: 9\n  <<: *b\n")
add("merge sequence earlier wins", "x: &x {a: 1}\ny: &y {a: 2, b: 2}\nv:\n  <<: [*x, *y]\n")
add("merge inline map", "v:\n  <<: {a: 1}\n  b: 2\n")
add("merge non-map", "x: &x 1\nv:\n  <<: *x\n")
add("merge seq with scalar", "v:\n  <<: [1]\n")
add("merge twice", "x: &x {a: 1}\ny: &y {a: 2}\nv:\n  <<: *x\n  <<: *y\n")
add("merge quoted key is not a merge", "v:\n  '<<': {a: 1}\n")
add("merge nested merge", "x: &x {a: 1}\ny: &y {<<: *x, b: 2}\nv: {<<: *y, c: 3}\n")
add("anchor scalar", "a: &a hello\nb: *a\n")
add("anchor map copied", "a: &a {x: 1}\nb: *a\nc: [*a, *a]\n")
add("anchor seq", "a: &a [1, 2]\nb: *a\n")
add("anchor redefined", "a: &a 1\nb: &a 2\nc: *a\n")
add("alias undefined", "a: *nope\n")
add("alias self in flow map", "data: &a {x: *a}\n")
add("alias self in block map", "data: &a\n  x: *a\n")
add("alias self in seq", "data: &a [*a]\n")
add("alias nested self", "a: &a\n  b:\n    c: [1, *a]\n")
add("anchor on key", "&k a: 1\nb: *k\n")
laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
prev = "a"
for n in "bcdefghi":
    laughs += f"{n}: &{n} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    prev = n
add("alias billion laughs", laughs)
add("alias many small ok", "a: &a {x: 1}\nl: [" + ", ".join(["*a"] * 300) + "]\n")
add("alias wide ok", "a: &a [" + ", ".join(str(i) for i in range(50)) + "]\nl: [" + ", ".join(["*a"] * 40) + "]\n")

# Duplicate keys.
add("duplicate key last wins", "a: 1\na: 2\n")
add("duplicate nested", "m:\n  a: 1\n  b: 2\n  a: 3\n")
add("duplicate after int key", "1: a\n\"1\": b\n")

# Encodings and line ends.
add("bom yaml", "\ufeffa: 1\n")
add("bom json", "\ufeff{\"a\": 1}\n")
add("crlf", "a: 1\r\nb: yes\r\n")
add("crlf block literal", "a: |\r\n  x\r\n  y\r\nb: 2\r\n")
add("crlf separators", "a: 1\r\n---\r\nb: 2\r\n")
add("block literal keep", "a: |+\n  x\n\nb: 1\n")
add("block folded strip", "a: >-\n  x\n  y\n\n  z\n")
add("plain multi-line", "a: x\n  y\n")
add("unicode", "a: \"\\u263a\"\nb: é\n")
add("tab in value", "a: \"x\\ty\"\n")

# JSON and streams.
add("json object", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {\"a\": \"1\"}}")
add("json stream concatenated", "{\"a\": 1}{\"b\": 2}")
add("json stream newline", "{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}\n")
add("json then yaml", "{\"a\": 1}\n---\nb: 2\n")
add("json two then garbage", "{\"a\": 1}\n{\"b\": 2}\nc: 3\n")
add("json bigint", "{\"a\": 9007199254740993, \"b\": 18446744073709551615, \"c\": 1.0, \"d\": 1e3, \"e\": -0}")
add("json huge number", "{\"a\": 123456789012345678901234567890}")
add("json escapes", "{\"a\": \"\\/\\u00e9\\n\", \"b\": \"yes\", \"c\": \"0o17\"}")
add("json duplicate", "{\"a\": 1, \"a\": 2}")
add("json array top", "[{\"a\": 1}]")
add("json null doc", "null")
add("json invalid", "{\"a\": }")
add("json leading space", "  \n {\"a\": true}")
add("json nested deep 100", "{\"a\":" * 100 + "1" + "}" * 100)
add("yaml flow nested deep 100", "a: " + "[" * 100 + "]" * 100 + "\n")

add("stream simple", "a: 1\n---\nb: 2\n")
add("stream leading separator", "---\na: 1\n")
add("stream separator comment", "a: 1\n--- # two\nb: 2\n")
add("stream separator with content", "a: 1\n--- b: 2\n")
add("stream separator glued", "a: 1\n---b\nc: 2\n")
add("stream empty docs", "---\n---\n\n---\na: 1\n---\n")
add("stream comment doc", "# only a comment\n---\na: 1\n")
add("stream null doc", "~\n---\nnull\n---\na: 1\n")
add("stream document end", "a: 1\n...\n")
add("stream list doc", "- a\n- b\n")
add("stream scalar doc", "hello\n")
add("stream directive", "%YAML 1.1\n---\na: 1\n")
add("stream separator indented", "a: |\n  ---\n  x\n")

# Syntax errors.
add("error unclosed flow", "a: [1\n")
add("error mapping in plain", "a: b: c\n")
add("error tab indent", "a:\n\tb: 1\n")
add("error unterminated quote", "a: \"x\n")
add("error bad indent", "a:\n  b: 1\n c: 2\n")
add("error second doc", "a: 1\n---\nb: [\n")

out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "codec", "cases.json")
with open(out, "w") as f:
    json.dump(cases, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(cases), "cases")
