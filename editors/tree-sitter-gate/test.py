#!/usr/bin/env python3
"""Tests the tree-sitter grammar of gate without the tree-sitter CLI.

Run by test.sh, which compiles src/parser.c into a shared library and passes
its path:

    python3 test.py --library /path/to/tree-sitter-gate.so

Checks, each counted in the closing line `N passed, N failed`:

1. src/grammar.js.sha256 is the sha256 of grammar.js, so the generated parser
   is not older than the grammar it claims to come from;
2. every test of test/corpus/*.txt (the format of `tree-sitter test`) parses
   to the expected tree;
3. every query file in queries/ compiles against the grammar (a node or field
   name that does not exist fails);
4. every `*.gate` file tracked by git in the repository parses without an
   ERROR or MISSING node, except the files that the repository's own tests
   expect to be syntax errors (see `expected_syntax_codes`); of those, each
   one whose expected error is a grammar error (E0102 to E0106) must not
   parse cleanly here either. Scope-assertion files of the TextMate grammar
   (editors/vscode/test/grammar/assertions/, first line `# SYNTAX TEST`) are
   fixtures of another tool, partly invalid gate on purpose, and are left out.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import tree_sitter

HERE = Path(__file__).resolve().parent

# ----------------------------------------------------------------- results


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def ok(self, what: str, verbose: bool) -> None:
        self.passed += 1
        if verbose:
            print(f"ok   {what}")

    def fail(self, what: str, detail: str = "") -> None:
        self.failed += 1
        print(f"FAIL {what}")
        if detail:
            for line in detail.rstrip("\n").split("\n"):
                print(f"     {line}")


# ----------------------------------------------------------------- loading


def load_language(library: Path) -> tree_sitter.Language:
    """The language from the compiled parser, through a PyCapsule as
    py-tree-sitter 0.25 wants it (an int pointer is deprecated)."""
    lib = ctypes.CDLL(str(library))
    lib.tree_sitter_gate.restype = ctypes.c_void_p
    lib.tree_sitter_gate.argtypes = []
    new_capsule = ctypes.pythonapi.PyCapsule_New
    new_capsule.restype = ctypes.py_object
    new_capsule.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    capsule = new_capsule(lib.tree_sitter_gate(), b"tree_sitter.Language", None)
    return tree_sitter.Language(capsule)


# ----------------------------------------------------------------- 1. sha256


def check_sha256(results: Results, verbose: bool) -> None:
    what = "src/grammar.js.sha256 matches grammar.js"
    actual = hashlib.sha256((HERE / "grammar.js").read_bytes()).hexdigest()
    stamp = HERE / "src" / "grammar.js.sha256"
    recorded = stamp.read_text().split()[0] if stamp.exists() else "(missing)"
    if recorded == actual:
        results.ok(what, verbose)
    else:
        results.fail(
            what,
            f"recorded {recorded}\nactual   {actual}\n"
            "grammar.js changed since src/ was generated: run `tree-sitter generate`\n"
            "and `sha256sum grammar.js > src/grammar.js.sha256` (see README.md)",
        )


# ----------------------------------------------------------------- 2. corpus
#
# The corpus format of `tree-sitter test` (tree-sitter-cli 0.25, src/test.rs):
# a header is a line of three or more `=`, the test's name (and attribute
# lines such as `:error` or `:skip`), and another line of `=`; the input runs
# to the longest line of three or more `-`, and the expected tree from there
# to the next header. The first header's suffix after the `=` (if any) must be
# repeated on every header and divider of the file. The input loses its last
# newline; the expected tree loses `;` comments and its whitespace is
# normalised. When the expected tree names no field, fields are not compared.

HEADER_RE = re.compile(
    rb"^(?P<equals>={3,})(?P<suffix1>[^=\r\n][^\r\n]*)?\r?\n"
    rb"(?P<name>(?:(?:[^=\r\n]|\s+:)[^\r\n]*\r?\n)+)"
    rb"===+(?P<suffix2>[^=\r\n][^\r\n]*)?\r?\n",
    re.MULTILINE,
)
DIVIDER_RE = re.compile(rb"^(?P<hyphens>-{3,})(?P<suffix>[^-\r\n][^\r\n]*)?\r?\n", re.MULTILINE)
COMMENT_RE = re.compile(r"^\s*;.*$", re.MULTILINE)
WHITESPACE_RE = re.compile(r"\s+")
FIELD_RE = re.compile(r" \w+: \(")
ATTRIBUTES = (":skip", ":error", ":fail-fast", ":platform", ":language", ":cst")


def normalize_sexp(text: str) -> str:
    text = WHITESPACE_RE.sub(" ", text.strip())
    return text.replace(" )", ")")


def strip_fields(sexp: str) -> str:
    return FIELD_RE.sub(" (", sexp)


def corpus_tests(path: Path):
    """Yields (name, attributes, input bytes, expected sexp) of a corpus file."""
    data = path.read_bytes()
    first = HEADER_RE.search(data)
    if first is None:
        return
    suffix = first.group("suffix1")
    headers = []
    for m in HEADER_RE.finditer(data):
        if m.group("suffix1") != suffix or m.group("suffix2") != suffix:
            continue
        name_lines, attributes, seen_marker = [], set(), False
        for line in m.group("name").decode().splitlines():
            marker = line.strip().split("(")[0]
            if marker in ATTRIBUTES:
                seen_marker = True
                attributes.add(marker)
            elif not seen_marker:
                name_lines.append(line)
        headers.append((m.start(), m.end(), "\n".join(name_lines).strip(), attributes))
    for i, (_, end, name, attributes) in enumerate(headers):
        stop = headers[i + 1][0] if i + 1 < len(headers) else len(data)
        dividers = [
            d
            for d in DIVIDER_RE.finditer(data, end, stop)
            if d.group("suffix") == suffix
        ]
        if not dividers:
            yield name, attributes, None, None
            continue
        divider = max(dividers, key=lambda d: d.end() - d.start())
        source = data[end : divider.start()]
        if source.endswith(b"\n"):
            source = source[:-1]
        expected = COMMENT_RE.sub("", data[divider.end() : stop].decode())
        yield name, attributes, source, normalize_sexp(expected)


def check_corpus(parser: tree_sitter.Parser, results: Results, verbose: bool) -> None:
    files = sorted((HERE / "test" / "corpus").glob("*.txt"))
    if not files:
        results.fail("test/corpus has no *.txt file")
    for path in files:
        for name, attributes, source, expected in corpus_tests(path):
            what = f"corpus {path.name}: {name}"
            if ":skip" in attributes:
                continue
            if source is None:
                results.fail(what, "no `---` line between the input and the expected tree")
                continue
            root = parser.parse(source).root_node
            if ":error" in attributes:
                if root.has_error:
                    results.ok(what, verbose)
                else:
                    results.fail(what, "expected an error, parsed as\n" + str(root))
                continue
            actual = normalize_sexp(str(root))
            if not FIELD_RE.search(expected):
                actual = strip_fields(actual)
            if actual == expected:
                results.ok(what, verbose)
            else:
                results.fail(what, f"expected: {expected}\nactual:   {actual}")


# ----------------------------------------------------------------- 3. queries


def check_queries(language: tree_sitter.Language, results: Results, verbose: bool) -> None:
    files = sorted((HERE / "queries").glob("*.scm"))
    for required in ("highlights.scm", "locals.scm"):
        if not (HERE / "queries" / required).exists():
            results.fail(f"queries/{required} is missing")
    for path in files:
        what = f"query {path.name} compiles"
        try:
            query = tree_sitter.Query(language, path.read_text())
        except Exception as e:  # QueryError, or a NameError/SyntaxError-like
            results.fail(what, f"{type(e).__name__}: {e}")
            continue
        if query.pattern_count == 0:
            results.fail(what, "no pattern")
        else:
            results.ok(what, verbose)


# ----------------------------------------------------------------- 4. repository files

# Error codes of docs/errors.md that say a policy is not even syntax: the
# `E01xx` class ("Syntax"). A file the repository's tests expect to fail with
# one of them is meant to be invalid gate and is not required to parse.
SYNTAX_CODE_RE = re.compile(r"\bE01\d\d\b")
# Of those, the codes the grammar itself gives (unexpected token, unexpected
# end, unknown escape, invalid rule id, malformed template): tree-sitter must
# reject those files too. The others are checks of the Rust lexer's callbacks
# or of the checker (a duration's unit, a calendar date, an integer's range,
# control and bidirectional characters, `&&`/`=`/`!`, which parse on purpose
# so that E0107 can name them), which a tree-sitter grammar does not make.
GRAMMAR_CODE_RE = re.compile(r"\bE010[2-6]\b")


def expected_outputs(gate: Path) -> list[Path]:
    """The transcripts the repository's tests compare a .gate file with:
    `NAME.out` beside `NAME.gate` (tests/corpus/*, tests/lint/*) and
    `expected` in the same folder (tests/hostile/*/policy.gate)."""
    return [p for p in (gate.with_suffix(".out"), gate.parent / "expected") if p.is_file()]


def expected_syntax_codes(repo: Path, rel: str) -> set[str]:
    """The syntax-error codes (E01xx) that the repository's tests expect for
    the file, if it is under tests/; empty for a file meant to be valid."""
    if not rel.startswith("tests/"):
        return set()
    codes: set[str] = set()
    for out in expected_outputs(repo / rel):
        codes.update(SYNTAX_CODE_RE.findall(out.read_text(errors="replace")))
    return codes


# vscode-tmgrammar-test's header: the file is a list of scope assertions on
# lines of gate text, some of them invalid on purpose (what the TextMate
# grammar marks `invalid.illegal`, recovery after an unclosed bracket).
TEXTMATE_ASSERTIONS = b"# SYNTAX TEST "


def is_textmate_assertions(source: bytes) -> bool:
    return source.lstrip(b"\xef\xbb\xbf").startswith(TEXTMATE_ASSERTIONS)


def repo_root() -> Path:
    try:
        top = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--show-toplevel"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return Path(top)
    except (OSError, subprocess.CalledProcessError):
        return HERE.parent.parent  # editors/tree-sitter-gate/ in the repository


def first_problems(root: tree_sitter.Node, limit: int = 5) -> list[tuple[str, tree_sitter.Node]]:
    """The first ERROR and MISSING nodes, walking only into subtrees that
    have one (without recursion: some test policies nest 10 000 deep)."""
    found: list[tuple[str, tree_sitter.Node]] = []
    stack = [root]
    while stack and len(found) < limit:
        node = stack.pop()
        if node.is_missing:
            found.append((f"MISSING {node.type}", node))
            continue
        if node.is_error:
            found.append(("ERROR", node))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found


def check_repository(parser: tree_sitter.Parser, results: Results, verbose: bool) -> None:
    repo = repo_root()
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--", "*.gate"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    files = sorted(f for f in listed.split("\0") if f)
    if not files:
        results.fail(f"no *.gate file tracked by git in {repo}")
        return
    parsed, excluded = 0, []
    for rel in files:
        path = repo / rel
        source = path.read_bytes()
        root = parser.parse(source).root_node
        if is_textmate_assertions(source):
            excluded.append((rel, {"TextMate scope assertions"}))
            if verbose and root.has_error:
                where = ", ".join(
                    f"{n.start_point[0] + 1}:{n.start_point[1] + 1} {kind}"
                    for kind, n in first_problems(root, 3)
                )
                print(f"note {rel} is not valid gate ({where})")
            continue
        codes = expected_syntax_codes(repo, rel)
        if codes:
            excluded.append((rel, codes))
            grammar_codes = {c for c in codes if GRAMMAR_CODE_RE.fullmatch(c)}
            if grammar_codes:
                what = f"{rel} (expected {', '.join(sorted(grammar_codes))}) is rejected"
                if root.has_error:
                    results.ok(what, verbose)
                else:
                    results.fail(what, "the gate parser rejects it, the tree-sitter grammar does not")
            continue
        parsed += 1
        what = f"{rel} parses"
        problems = first_problems(root) if root.has_error else []
        if not problems and root.has_error:
            problems = [("ERROR", root)]
        if problems:
            detail = "\n".join(
                f"{rel}:{n.start_point[0] + 1}:{n.start_point[1] + 1}: {kind}"
                for kind, n in problems
            )
            results.fail(what, detail)
        else:
            results.ok(what, verbose)
    print(
        f"repository: {len(files)} .gate files tracked by git, {parsed} parsed,"
        f" {len(excluded)} excluded (expected to be syntax errors, or TextMate assertions)"
    )
    if verbose:
        for rel, codes in excluded:
            print(f"     excluded {rel} ({', '.join(sorted(codes))})")


# ----------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--library", required=True, type=Path, help="the compiled src/parser.c")
    ap.add_argument("-v", "--verbose", action="store_true", help="name every check, not only failures")
    args = ap.parse_args()

    results = Results()
    language = load_language(args.library)
    if language.abi_version < tree_sitter.MIN_COMPATIBLE_LANGUAGE_VERSION:
        results.fail(f"parser ABI {language.abi_version} is older than py-tree-sitter supports")
    parser = tree_sitter.Parser(language)

    check_sha256(results, args.verbose)
    check_corpus(parser, results, args.verbose)
    check_queries(language, results, args.verbose)
    check_repository(parser, results, args.verbose)

    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed or not results.passed else 0


if __name__ == "__main__":
    sys.exit(main())
