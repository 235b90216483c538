#!/usr/bin/env python3
"""Writes every cart text the tests hold into OUT_DIR/NNNN.toml, for the fmt
meaning-preservation sweep (tests/tools/fmt_check.sh).

A test cart is written in one of three ways, and all three are found:
  - a C++ raw string R"(...)" holding a "[cart]" line;
  - a braced list of C++ string literals, one line each, one of them "[cart]"
    (the checker's golden fixtures: {"[cart]", "id = \"a\"", ...});
  - checker_test.cc's Cart({...}): the kHead lines, then the list's;
  - a shell here-document holding a "[cart]" line (tests/reliability).
Texts built at run time (CartToml, string concatenation) come out partial or
not at all; the sweep treats a text that does not parse as a file fmt must
leave untouched. Duplicates are written once; at most MAX files.

Usage: extract_test_carts.py TESTS_DIR OUT_DIR [MAX]
"""
import hashlib
import pathlib
import re
import sys

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
RAW = re.compile(r'R"([^()\s]{0,16})\((.*?)\)\1"', re.S)
HEREDOC = re.compile(r"<<-?\s*'?(\w+)'?[^\n]*\n(.*?)\n\s*\1\n", re.S)
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'", "r": "\r", "0": "\0"}


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 >= len(s):
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n == "x":
            m = re.match(r"[0-9A-Fa-f]{1,2}", s[i + 2:])
            out.append(chr(int(m.group(0), 16)) if m else "x")
            i += 2 + (len(m.group(0)) if m else 0)
        elif n == "u":
            out.append(chr(int(s[i + 2:i + 6], 16)) if re.match(r"[0-9A-Fa-f]{4}", s[i + 2:]) else "u")
            i += 6
        else:
            out.append(ESCAPES.get(n, n))
            i += 2
    return "".join(out)


def enclosing_braces(text, pos):
    """The span of the innermost {...} around pos, skipping string literals."""
    depth, i = 0, pos
    while i > 0:
        i -= 1
        c = text[i]
        if c == "}":
            depth += 1
        elif c == "{":
            if depth == 0:
                break
            depth -= 1
    else:
        return None
    start, depth, j = i, 0, i
    while j < len(text):
        c = text[j]
        if c == '"':
            m = LITERAL.match(text, j)
            j = m.end() if m else j + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return start, j + 1
        j += 1
    return None


def literal_lines(block):
    """The string literals of a braced list, one line each."""
    block = re.sub(r"//[^\n]*", "", block)
    return "".join(unescape(x.group(1)) + "\n" for x in LITERAL.finditer(block))


def carts_in(path):
    text = path.read_text(errors="replace")
    found, head = [], None
    if path.suffix in (".cc", ".h"):
        for m in RAW.finditer(text):
            if "[cart]" in m.group(2):
                found.append(m.group(2).lstrip("\n"))
        for m in LITERAL.finditer(text):
            body = unescape(m.group(1))
            if body.startswith("[cart]\n") or "\n[cart]\n" in body:
                found.append(body)
            elif body == "[cart]":
                span = enclosing_braces(text, m.start())
                if span:
                    found.append(literal_lines(text[span[0]:span[1]]))
                    if "kHead" in text[max(0, span[0] - 60):span[0]]:
                        head = found[-1]
        # checker_test.cc: Cart({lines}) is kHead's lines, then these.
        if head:
            for m in re.finditer(r"\bCart\(\s*\{", text):
                span = enclosing_braces(text, m.end())
                if span:
                    found.append(head + literal_lines(text[span[0]:span[1]]))
    elif path.suffix in (".sh", ".bash"):
        for m in HEREDOC.finditer(text):
            if "[cart]" in m.group(2):
                found.append(m.group(2) + "\n")
    return found


def main():
    tests, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    out.mkdir(parents=True, exist_ok=True)
    seen, n = set(), 0
    for path in sorted(tests.rglob("*")):
        if not path.is_file() or "corpus" in path.parts:
            continue
        for cart in carts_in(path):
            digest = hashlib.sha256(cart.encode("utf-8", "surrogateescape")).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            (out / f"{n:04d}.toml").write_bytes(cart.encode("utf-8", "surrogateescape"))
            n += 1
            if n >= limit:
                print(n)
                return
    print(n)


main()
