#!/usr/bin/env python3
"""Regenerates the generated sections of docs/cart-format.md from schema/.

    python3 tools/docs/gen_docs.py            rewrite the generated sections
    python3 tools/docs/gen_docs.py --check    exit 1 when the file is out of date

The document holds marker pairs

    <!-- BEGIN GENERATED: NAME (tools/docs/gen_docs.py) -->
    ...
    <!-- END GENERATED: NAME -->

and everything between a pair is replaced by what the generator NAME makes:

    platforms     per platform (schema/platforms/*.toml, sorted by id): its
                  [api] fields and [statuses] dimensions, in descriptor order,
                  the implicit base_url last; whether a connector is built
                  (the platform ids MakeCartConnector dispatches on, read
                  from runtime/carts/cart_connector.cc)
    wms           per WMS system (schema/wms/*.toml, sorted by id): its
                  [wms.NAME] fields, in descriptor order
    order_fields  the fields of schema/order_document.toml

Text outside the markers is never touched. Output is deterministic: it
depends only on the files read, never on time, locale or file-system order.

Options (for testing on copies without touching the tree):
    --schema DIR        descriptors (default: schema/ of this repository)
    --doc FILE          the document (default: docs/cart-format.md)
    --connectors FILE   the connector factory (default:
                        runtime/carts/cart_connector.cc, else
                        runtime/cart_connector.cc)

Exit codes: 0 done / up to date; 1 --check found the document out of date;
2 usage error, unreadable or malformed input, missing or unbalanced markers.
Python 3.11+, standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOL = "tools/docs/gen_docs.py"
BEGIN_RE = re.compile(r"^<!-- BEGIN GENERATED: ([a-z_]+) \(tools/docs/gen_docs\.py\) -->$")
END_RE = re.compile(r"^<!-- END GENERATED: ([a-z_]+) -->$")

# What the compiler accepts in a descriptor (compiler/schema.cc); anything
# else is an error there (E0703), so it is one here too.
PLATFORM_KEYS = {"id", "name", "inventory_quantity", "services", "base_url", "api", "statuses",
                 "credentials"}
WMS_KEYS = {"id", "name", "help", "fields"}
FIELD_KEYS = {"type", "required", "pattern", "values", "default", "help", "identifier"}
STATUS_KEYS = {"allowed", "default", "help"}
FIELD_TYPES = ("string", "url", "secret", "integer", "enum", "string_array")
SERVICES = ("order_download", "shipment_upload", "inventory_upload")
WMS_COMMON_KEYS = ("system", "warehouses", "carriers", "alias_types", "cart_fields")


class InputError(Exception):
    """A malformed or unreadable input: exit 2 with the message."""


# ---------------------------------------------------------------------------
# Markdown helpers

def code(text: str) -> str:
    """`text` as a code span that survives a GFM table cell."""
    text = str(text).replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    # In a GFM table the cell is split at unescaped pipes before inline
    # parsing, so a pipe inside a code span is written \| too.
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def prose(text: str) -> str:
    """Plain text for a table cell: one line, markup characters escaped."""
    text = " ".join(str(text).split())
    text = text.replace("\\", "\\\\")
    for ch in "|*`<[]":
        text = text.replace(ch, "\\" + ch)
    # `_` only where it could open or close emphasis (not inside a word).
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


def codes(values) -> str:
    return ", ".join(code(v) for v in values) if values else "—"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return out


# ---------------------------------------------------------------------------
# Reading descriptors

def load_toml(path: Path, display: str) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise InputError(f"{display}: cannot read: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{display}: {e}") from e


def need(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise InputError(f"{where}: {message}")


def check_keys(table_: dict, known: set[str], where: str) -> None:
    unknown = sorted(set(table_) - known)
    need(not unknown, where, "unknown key(s) " + ", ".join(f'"{k}"' for k in unknown))


def string(table_: dict, key: str, where: str, required: bool) -> str:
    if key not in table_:
        need(not required, where, f'missing "{key}"')
        return ""
    need(isinstance(table_[key], str), where, f'"{key}" must be a string')
    return table_[key]


def strings(table_: dict, key: str, where: str) -> list[str]:
    value = table_.get(key, [])
    need(isinstance(value, list) and all(isinstance(v, str) for v in value), where,
         f'"{key}" must be an array of strings')
    return value


def read_fields(tbl: object, where: str) -> list[dict]:
    need(isinstance(tbl, dict), where, "must be a table")
    fields = []
    for name, spec in tbl.items():  # tomllib keeps the file's order
        at = f"{where}.{name}"
        need(isinstance(spec, dict), at, "must be a table")
        check_keys(spec, FIELD_KEYS, at)
        ftype = string(spec, "type", at, required=True)
        need(ftype in FIELD_TYPES, at, f'unknown field type "{ftype}"')
        required = spec.get("required", False)
        need(isinstance(required, bool), at, '"required" must be true or false')
        values = strings(spec, "values", at)
        need(ftype != "enum" or values, at, "an enum field needs values")
        default = spec.get("default")
        need(default is None or (isinstance(default, (str, int)) and not isinstance(default, bool)),
             at, "default must be a string or an integer")
        fields.append({"name": name, "type": ftype, "required": required,
                       "pattern": string(spec, "pattern", at, required=False), "values": values,
                       "default": default, "help": string(spec, "help", at, required=False)})
    return fields


def read_platform(path: Path, display: str) -> dict:
    doc = load_toml(path, display)
    check_keys(doc, PLATFORM_KEYS, display)
    p = {"id": string(doc, "id", display, True), "name": string(doc, "name", display, True)}
    need(p["id"] != "", display, '"id" must not be empty')
    quantity = string(doc, "inventory_quantity", display, True)
    need(quantity in ("available", "on_hand"), display,
         'inventory_quantity must be "available" or "on_hand"')
    p["inventory_quantity"] = quantity
    p["services"] = strings(doc, "services", display)
    for s in p["services"]:
        need(s in SERVICES, display, f'unknown service "{s}"')
    p["base_url"] = string(doc, "base_url", display, False) or "Overrides the platform's API host"
    p["api"] = read_fields(doc.get("api", {}), f"{display} [api]")
    need(all(f["name"] != "base_url" for f in p["api"]), display, "base_url is implicit; do not declare it")
    p["credentials"] = []
    forms = doc.get("credentials", [])
    need(isinstance(forms, list), display, '"credentials" must be an array of tables')
    for form in forms:
        need(isinstance(form, dict), display, "[[credentials]] must be tables")
        check_keys(form, {"name", "fields"}, f"{display} [[credentials]]")
        fields = strings(form, "fields", f"{display} [[credentials]]")
        need(bool(fields) and all(any(f["name"] == x for f in p["api"]) for x in fields),
             display, "[[credentials]] fields must be [api] fields")
        p["credentials"].append({"name": string(form, "name", display, False), "fields": fields})
    p["statuses"] = []
    statuses = doc.get("statuses", {})
    need(isinstance(statuses, dict), display, '"statuses" must be a table')
    for name, dim in statuses.items():
        at = f"{display} [statuses.{name}]"
        need(isinstance(dim, dict), at, "must be a table")
        check_keys(dim, STATUS_KEYS, at)
        allowed, default = strings(dim, "allowed", at), strings(dim, "default", at)
        for v in default:
            need(v in allowed, at, f'default status "{v}" is not allowed')
        p["statuses"].append({"name": name, "allowed": allowed, "default": default,
                              "help": string(dim, "help", at, False)})
    return p


def read_wms(path: Path, display: str) -> dict:
    doc = load_toml(path, display)
    check_keys(doc, WMS_KEYS, display)
    w = {"id": string(doc, "id", display, True), "name": string(doc, "name", display, True),
         "help": string(doc, "help", display, False)}
    need(w["id"] != "", display, '"id" must not be empty')
    w["fields"] = read_fields(doc.get("fields", {}), f"{display} [fields]")
    return w


def load_schema(schema_dir: Path, display_dir: str) -> dict:
    if not schema_dir.is_dir():
        raise InputError(f"{display_dir}: no such directory")

    def descriptors(sub: str, reader) -> list[dict]:
        found: dict[str, dict] = {}
        # Sorted by path, like the compiler's LoadSchemaDir.
        for path in sorted((schema_dir / sub).glob("*.toml")):
            display = f"{display_dir}/{sub}/{path.name}"
            d = reader(path, display)
            need(d["id"] not in found, display, f'duplicate id "{d["id"]}"')
            found[d["id"]] = d
        return [found[k] for k in sorted(found)]

    platforms = descriptors("platforms", read_platform)
    need(bool(platforms), f"{display_dir}/platforms", "no platform descriptors (*.toml)")
    order_path = schema_dir / "order_document.toml"
    order_display = f"{display_dir}/order_document.toml"
    order_fields = strings(load_toml(order_path, order_display), "fields", order_display) \
        if order_path.exists() else []
    return {"platforms": platforms, "wms": descriptors("wms", read_wms), "order_fields": order_fields}


def load_connectors(path: Path | None, display: str) -> set[str]:
    """The platform ids MakeCartConnector dispatches on."""
    if path is None:
        raise InputError(f"{display}: not found (the connector factory; pass --connectors FILE)")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{display}: cannot read: {e.strerror or e}") from e
    return set(re.findall(r'cart\.platform\s*==\s*"([a-z0-9_-]+)"', text))


# ---------------------------------------------------------------------------
# Generators

def type_cell(f: dict) -> str:
    t = f["type"]
    if t == "enum":
        t = "enum: " + " \\| ".join(code(v) for v in f["values"])
    elif t == "string_array":
        t = "array of strings"
    if f["pattern"]:
        t += " matching " + code(f["pattern"])
    return t


def default_cell(f: dict) -> str:
    d = f["default"]
    if d is None:
        return "—"
    return code(d if isinstance(d, int) else f'"{d}"')


def field_rows(fields: list[dict]) -> list[list[str]]:
    return [[code(f["name"]), type_cell(f), "yes" if f["required"] else "no", default_cell(f),
             prose(f["help"])] for f in fields]


def gen_platforms(schema: dict, connectors: set[str]) -> list[str]:
    out = [f"<!-- Generated from schema/platforms/*.toml and runtime/carts/cart_connector.cc by {TOOL}: "
           "edit those, then run it. -->", ""]
    built = [p["id"] for p in schema["platforms"] if p["id"] in connectors]
    planned = [p["id"] for p in schema["platforms"] if p["id"] not in connectors]
    out += table(["platform", "`[cart].platform`", "connector (`cartsync run`)", "inventory quantity",
                  "services"],
                 [[prose(p["name"]), code(p["id"]),
                   "built" if p["id"] in connectors else "**planned**",
                   code(p["inventory_quantity"]), codes(p["services"])] for p in schema["platforms"]])
    out.append("")
    if planned:
        out.append("Carts of a platform whose connector is *planned* are checked and planned like any "
                   "other; `cartsync run` fails each of their steps with `no connector for platform "
                   "\"ID\" in this build yet`.")
        out.append("")
    for p in schema["platforms"]:
        out.append(f"### {p['id']}: {prose(p['name'])}")
        out.append("")
        quantity = ("available quantity (`minimum_inventory_level` applies)"
                    if p["inventory_quantity"] == "available"
                    else "on-hand quantity (`minimum_inventory_level` must be 0)")
        out.append(f"Connector: {'built' if p['id'] in connectors else '**planned**'}. "
                   f"Stock pushed: {quantity}. Services: {codes(p['services'])}.")
        out.append("")
        base = {"name": "base_url", "type": "url", "required": False, "pattern": "", "values": [],
                "default": None, "help": p["base_url"]}
        out.append("`[api]` fields:")
        out.append("")
        out += table(["name", "type", "required", "default", "help"], field_rows(p["api"] + [base]))
        out.append("")
        if p["credentials"]:
            out.append("Credentials: exactly one of these forms, each complete (else `E0214`): " +
                       "; ".join(" + ".join(code(f) for f in c["fields"]) +
                                 (f" ({prose(c['name'])})" if c["name"] else "") for c in p["credentials"]) + ".")
            out.append("")
        if p["statuses"]:
            out.append("`[statuses]` dimensions (a dimension left out downloads its defaults):")
            out.append("")
            out += table(["dimension", "allowed values", "defaults", "help"],
                         [[code(d["name"]), codes(d["allowed"]), codes(d["default"]), prose(d["help"])]
                          for d in p["statuses"]])
        else:
            out.append("No `[statuses]` dimensions.")
        out.append("")
    return out[:-1]


def gen_wms(schema: dict, connectors: set[str]) -> list[str]:
    out = [f"<!-- Generated from schema/wms/*.toml by {TOOL}: edit those, then run it. -->", ""]
    common = ", ".join(code(k) for k in WMS_COMMON_KEYS)
    out.append(f"Besides the common keys ({common}), each `system` takes these fields:")
    out.append("")
    for w in schema["wms"]:
        out.append(f"#### `system = \"{w['id']}\"`: {prose(w['name'])}")
        out.append("")
        if w["help"]:
            out.append(prose(w["help"]))
            out.append("")
        if w["fields"]:
            out += table(["name", "type", "required", "default", "help"], field_rows(w["fields"]))
        else:
            out.append("No fields of its own.")
        out.append("")
    return out[:-1]


def gen_order_fields(schema: dict, connectors: set[str]) -> list[str]:
    out = [f"<!-- Generated from schema/order_document.toml by {TOOL}. -->", ""]
    out.append(codes(schema["order_fields"]))
    return out


GENERATORS = {"platforms": gen_platforms, "wms": gen_wms, "order_fields": gen_order_fields}


# ---------------------------------------------------------------------------
# The document

def render(doc_text: str, doc_display: str, schema: dict, connectors: set[str]) -> str:
    lines = doc_text.split("\n")
    out: list[str] = []
    seen: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if END_RE.match(line):
            raise InputError(f"{doc_display}:{i + 1}: END marker without a BEGIN marker")
        m = BEGIN_RE.match(line)
        if not m:
            out.append(line)
            i += 1
            continue
        name = m.group(1)
        if name not in GENERATORS:
            raise InputError(f"{doc_display}:{i + 1}: unknown generated section \"{name}\" "
                             f"(known: {', '.join(sorted(GENERATORS))})")
        if name in seen:
            raise InputError(f"{doc_display}:{i + 1}: section \"{name}\" appears twice")
        j = i + 1
        while j < len(lines) and not END_RE.match(lines[j]) and not BEGIN_RE.match(lines[j]):
            j += 1
        if j == len(lines) or BEGIN_RE.match(lines[j]) or END_RE.match(lines[j]).group(1) != name:
            raise InputError(f"{doc_display}:{i + 1}: section \"{name}\" has no matching "
                             f"<!-- END GENERATED: {name} --> line")
        seen.append(name)
        out.append(line)
        out.append("")
        out += GENERATORS[name](schema, connectors)
        out.append("")
        out.append(lines[j])
        i = j + 1
    if "platforms" not in seen:
        raise InputError(f"{doc_display}: no <!-- BEGIN GENERATED: platforms ({TOOL}) --> marker")
    return "\n".join(out)


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="gen_docs.py",
        description="Regenerate the generated sections of docs/cart-format.md from schema/.")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when the document is out of date")
    parser.add_argument("--schema", metavar="DIR", type=Path, help="descriptor directory (default: schema/)")
    parser.add_argument("--doc", metavar="FILE", type=Path, help="document (default: docs/cart-format.md)")
    parser.add_argument("--connectors", metavar="FILE", type=Path,
                        help="connector factory (default: runtime/carts/cart_connector.cc)")
    args = parser.parse_args(argv)

    schema_dir = args.schema or ROOT / "schema"
    doc_path = args.doc or ROOT / "docs" / "cart-format.md"
    connectors_path = args.connectors
    if connectors_path is None:
        connectors_path = next((p for p in (ROOT / "runtime" / "carts" / "cart_connector.cc",
                                            ROOT / "runtime" / "cart_connector.cc") if p.is_file()), None)
    try:
        schema = load_schema(schema_dir, shown(schema_dir))
        connectors = load_connectors(connectors_path,
                                     shown(connectors_path) if connectors_path else
                                     "runtime/carts/cart_connector.cc")
        try:
            current = doc_path.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(f"{shown(doc_path)}: cannot read: {e.strerror or e}") from e
        wanted = render(current, shown(doc_path), schema, connectors)
    except InputError as e:
        print(f"gen_docs: {e}", file=sys.stderr)
        return 2

    if wanted == current:
        if not args.check:
            print(f"{shown(doc_path)} is up to date")
        return 0
    if args.check:
        command = "python3 " + TOOL
        if args.schema:
            command += f" --schema {shown(schema_dir)}"
        if args.doc:
            command += f" --doc {shown(doc_path)}"
        if args.connectors:
            command += f" --connectors {shown(connectors_path)}"
        schema_shown = shown(schema_dir).rstrip("/") + "/"
        print(f"{shown(doc_path)} is out of date with {schema_shown}: run {command}", file=sys.stderr)
        diff = list(difflib.unified_diff(current.splitlines(), wanted.splitlines(),
                                         f"{shown(doc_path)} (now)", f"{shown(doc_path)} (generated)",
                                         lineterm="", n=1))
        for line in diff[:40]:
            print(line, file=sys.stderr)
        if len(diff) > 40:
            print(f"... {len(diff) - 40} more diff lines", file=sys.stderr)
        return 1
    write_atomically(doc_path, wanted)
    print(f"{shown(doc_path)} updated from {shown(schema_dir)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
