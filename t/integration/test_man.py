"""The man pages stay true: every key of etc/srs.yaml is documented in
man/srs.yaml.5 with the default the reference file gives it, nothing is
documented that the reference file lacks, both pages are lint-clean and
render, the YAML examples of srs.yaml(5) pass `srs -t`, and srs(8) lists
every option and signal `srs -h` prints.

A key is documented by one line of the KEYS section of man/srs.yaml.5:

    .It Cm rtmp.chunk_size Pq integer 128..65536 , default Li 60000
    .It Cm play.gop_cache Pq boolean , default Li true      (after ".Ss Vhosts")
    .It Cm user Pq string , default empty

Before ".Ss Vhosts" the path is the full key path; from it on, the path under
vhosts.NAME. Adding a key to etc/srs.yaml without such a line fails here.

Environment: SRS_BUILD names the build directory (srs is run from there; the
checks that need it are skipped when it is not built).
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SRS_BUILD", "build"))
if not os.path.isdir(BUILD) and os.path.isdir(os.environ.get("SRS_BUILD", "build")):
    BUILD = os.path.abspath(os.environ["SRS_BUILD"])  # relative to where the test runs
SRS = os.path.join(BUILD, "srs")
REFERENCE = os.path.join(ROOT, "etc", "srs.yaml")
PAGE = os.path.join(ROOT, "man", "srs.yaml.5")
SRS8 = os.path.join(ROOT, "man", "srs.8")
VHOSTS_HEADING = ".Ss Vhosts"

try:
    import yaml
except ImportError:  # the indentation walker below does the same for etc/srs.yaml
    yaml = None


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --- the keys of the reference file -----------------------------------------

def keys_with_pyyaml(text):
    """{path: [default values as written]} for every leaf key; vhost keys as
    'vhosts.NAME.rest'. Raw scalar text (yaml.compose), so '16MiB' and 'true'
    stay as written. An empty map ({}: a map of names the user chooses, such as
    transcode.engines) is a leaf with no default."""
    out = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode) and not node.value and path:
            out[path] = []
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                name = "NAME" if path == "vhosts" else k.value
                walk(v, f"{path}.{name}" if path else name)
        elif isinstance(node, yaml.SequenceNode):
            out[path] = [item.value for item in node.value]
        else:
            out[path] = [node.value] if node.value != "" else []

    walk(yaml.compose(text), "")
    return out


def strip_comment(line):
    """The line without a trailing '# comment' (a '#' inside quotes stays)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def unquote(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def keys_by_indentation(text):
    """The same as keys_with_pyyaml for block-style YAML such as etc/srs.yaml,
    without PyYAML: maps by indentation, '- item' lists, '[]' and '""'."""
    out = {}
    stack = []  # (indent, path) of the open maps
    last = None
    for raw in text.splitlines():
        line = strip_comment(raw)
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        if body.startswith("- "):
            out[last].append(unquote(body[2:].strip()))
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key, _, value = body.partition(":")
        parent = stack[-1][1] if stack else ""
        name = "NAME" if parent == "vhosts" else key.strip()
        path = f"{parent}.{name}" if parent else name
        value = value.strip()
        if value == "":
            stack.append((indent, path))
            out[path] = []  # a map (dropped below when keys follow) or an empty value
        elif value in ("[]", "{}"):
            out[path] = []
        else:
            items = value[1:-1].split(",") if value.startswith("[") else [value]
            out[path] = [unquote(v.strip()) for v in items if unquote(v.strip()) != ""]
        last = path
    parents = {p.rsplit(".", 1)[0] for p in out if "." in p}
    return {p: v for p, v in out.items() if p not in parents}


def reference_keys(text):
    return keys_with_pyyaml(text) if yaml else keys_by_indentation(text)


# --- the keys of the man page ------------------------------------------------

ITEM = re.compile(r"^\.It Cm (\S+)(.*)$")
DEFAULT = re.compile(r",\s*default\s+(.*)$")
LITERAL = re.compile(r'Li\s+("[^"]*"|\S+)')


def unescape(arg):
    arg = unquote(arg)
    return arg.replace("\\&", "").replace("\\-", "-").replace("\\e", "\\")


def documented_keys(page):
    """{key path: (head line, [default values], body lines)} from the KEYS
    section; vhost keys (after .Ss Vhosts) as 'vhosts.NAME.rest'."""
    lines = page.splitlines()
    start = lines.index(".Sh KEYS")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(".Sh "))
    out = {}
    in_vhosts = False
    current = None
    for line in lines[start + 1:end]:
        if line == VHOSTS_HEADING:
            in_vhosts = True
        m = ITEM.match(line)
        if m:
            path = ("vhosts.NAME." if in_vhosts else "") + m.group(1)
            d = DEFAULT.search(m.group(2))
            values = None
            if d:
                values = [] if d.group(1).strip() == "empty" else [
                    unescape(v) for v in LITERAL.findall(d.group(1))]
            current = out.setdefault(path, (line, values, []))
        elif line.startswith((".El", ".Ss", ".Bl")):
            current = None
        elif current is not None:
            current[2].append(line)
    return out


# Keys documented ahead of their code (written by someone else at the same
# time): not reported as stale while they are here. Keep it empty otherwise.
PENDING = set()

DURATION = re.compile(r"^\d+(ms|s|m|h|d)$")
SIZE = re.compile(r"^\d+(KiB|MiB|GiB)$")


def problems(reference_text, page):
    """Every way the page fails the reference file, one line each."""
    found = []
    keys = reference_keys(reference_text)
    docs = documented_keys(page)
    for path, default in sorted(keys.items()):
        if path not in docs:
            found.append(f"{path}: not documented (no '.It Cm' line for it)")
            continue
        head, values, body = docs[path]
        if values is None:
            found.append(f"{path}: no ', default Li VALUE' or ', default empty' in: {head}")
        elif values != default:
            found.append(f"{path}: etc/srs.yaml has default {default}, the page {values}")
        if not any(line.strip() and not line.startswith(".\\\"") for line in body):
            found.append(f"{path}: documented without a word of explanation")
        value = default[0] if len(default) == 1 else ""
        for pattern, kind in ((DURATION, "duration"), (SIZE, "size")):
            if pattern.match(value) and kind not in head:
                found.append(f"{path}: a {kind} default, but the page does not say {kind}")
        if value in ("true", "false") and "boolean" not in head:
            found.append(f"{path}: a boolean default, but the page does not say boolean")
    for path in sorted(set(docs) - set(keys) - PENDING):
        found.append(f"{path}: documented but not in etc/srs.yaml (removed or renamed?)")
    return found


def render(path):
    """The page as text (mandoc -Tutf8, overstrike removed)."""
    proc = subprocess.run(["mandoc", "-Tutf8", path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)
    return proc, re.sub(".\b", "", proc.stdout)


@unittest.skipUnless(shutil.which("mandoc"), "mandoc is not installed")
class ManPages(unittest.TestCase):
    def setUp(self):
        self.reference = read(REFERENCE)
        self.page = read(PAGE)

    def test_every_key_is_documented_with_its_default(self):
        self.assertEqual(problems(self.reference, self.page), [])

    def test_the_checker_sees_a_missing_key_a_wrong_default_and_a_stale_key(self):
        # The check above must be able to fail: break a copy of the page.
        line = next(l for l in self.page.splitlines() if l.startswith(".It Cm rtmp.chunk_size "))
        missing = self.page.replace(line + "\n", "")
        self.assertIn("rtmp.chunk_size: not documented (no '.It Cm' line for it)",
                      problems(self.reference, missing))
        wrong = self.page.replace(line, line.replace("Li 60000", "Li 4096"))
        self.assertIn("rtmp.chunk_size: etc/srs.yaml has default ['60000'], the page ['4096']",
                      problems(self.reference, wrong))
        vhost_line = next(l for l in self.page.splitlines() if l.startswith(".It Cm hls.fragment "))
        self.assertTrue(any(p.startswith("vhosts.NAME.hls.fragment:")
                            for p in problems(self.reference, self.page.replace(vhost_line, ""))))
        added = self.reference.replace("  chunk_size: 60000", "  chunk_size: 60000\n  new_key: 3s")
        self.assertIn("rtmp.new_key: not documented (no '.It Cm' line for it)",
                      problems(added, self.page))
        removed = self.reference.replace("  republish_grace: 30s", "")
        self.assertIn("rtmp.republish_grace: documented but not in etc/srs.yaml (removed or renamed?)",
                      problems(removed, self.page))

    @unittest.skipUnless(yaml, "python3-yaml is not installed")
    def test_the_indentation_walker_reads_the_reference_as_pyyaml_does(self):
        self.assertEqual(keys_by_indentation(self.reference), keys_with_pyyaml(self.reference))
        self.assertIn("vhosts.NAME.hls.m3u8_file", keys_with_pyyaml(self.reference))
        self.assertEqual(keys_with_pyyaml(self.reference)["rtmp.listen"], ["1935"])

    def test_pages_are_lint_clean(self):
        proc = subprocess.run(["mandoc", "-Tlint", "-W", "warning", PAGE, SRS8],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_pages_render_with_every_key(self):
        for path in (PAGE, SRS8):
            proc, text = render(path)
            self.assertEqual((proc.returncode, proc.stderr), (0, ""), path)
            self.assertIn("SEE ALSO", text)
        _, text = render(PAGE)
        for path in documented_keys(self.page):
            self.assertIn(path.replace("vhosts.NAME.", ""), text)
        self.assertIn("srs-ctl(1)", text)
        self.assertIn("srs(8)", text)
        _, text8 = render(SRS8)
        for ref in ("srs.yaml(5)", "srs-ctl(1)", "/metrics", "/api/v1/", "1985", "NOTIFY_SOCKET"):
            self.assertIn(ref, text8)

    @unittest.skipUnless(shutil.which("man"), "man is not installed")
    def test_man_shows_the_page(self):
        env = dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80")
        proc = subprocess.run(["man", "-l", PAGE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=60, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("rtmp.chunk_size", re.sub(".\b", "", proc.stdout))


@unittest.skipUnless(os.path.exists(SRS), f"{SRS} is not built")
class PagesAgreeWithTheProgram(unittest.TestCase):
    def test_every_yaml_example_is_a_valid_configuration(self):
        page = read(PAGE)
        examples = page.split("\n.Sh EXAMPLES\n", 1)[1].split("\n.Sh ", 1)[0]
        blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", examples, re.M | re.S)
        configs = [b for b in blocks if not b.startswith("srs ")]
        self.assertGreaterEqual(len(configs), 3)
        with tempfile.TemporaryDirectory(prefix="srs-man-") as tmp:
            pair = self.certificate_pair(tmp) if any("tls:" in b for b in configs) else None
            for i, block in enumerate(configs):
                path = os.path.join(tmp, f"example{i}.yaml")
                text = block.replace("\\e", "\\").replace("\\&", "")
                if pair:  # an example's certificate files: a pair made here
                    text = re.sub(r"(?m)^(\s*certificate: ).*$", r"\g<1>" + pair[0], text)
                    text = re.sub(r"(?m)^(\s*key: ).*$", r"\g<1>" + pair[1], text)
                with open(path, "w") as f:
                    f.write(text)
                proc = subprocess.run([SRS, "-t", "-c", path], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, timeout=30)
                self.assertEqual(proc.returncode, 0, f"example {i + 1}:\n{block}\n{proc.stdout}")

    def certificate_pair(self, folder):
        """A self-signed certificate and its key for the examples that name
        certificate files (they must exist for `srs -t`)."""
        if not shutil.which("openssl"):
            self.skipTest("openssl is not installed")
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=example.com"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
        return cert, key

    def test_srs8_lists_every_option_and_signal_of_srs_h(self):
        usage = subprocess.run([SRS, "-h"], stdout=subprocess.PIPE, text=True, timeout=30).stdout
        page = read(SRS8)
        options = set(re.findall(r"^\s+-(\w)\b", usage, re.M))
        self.assertGreaterEqual(options, {"c", "t", "V", "v", "h"})
        for opt in options:
            self.assertRegex(page, rf"(?m)^\.It Fl {opt}\b", f"-{opt} is not in man/srs.8")
        signals = re.search(r"^signals: (.*)$", usage, re.M).group(1)
        for name in re.findall(r"\b([A-Z][A-Z0-9]+)\b", signals):
            self.assertRegex(page, rf"(?m)^\.It .*\bDv {name}\b", f"SIG{name} is not in man/srs.8")


if __name__ == "__main__":
    unittest.main()
