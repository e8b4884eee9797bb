"""Split a long service module into rooms by its `# ----` section markers (issue #16).

    python tools/split_module.py voting/collection/services.py plan.json

plan.json: {"header": "<room for the header's constants>", "rooms": [[marker text,
room name, docstring], ...], "facade_doc": "..."}. Every room gets the original
imports; names a room uses from another room are imported from it; pyflakes then
tells which imports are unused, and they are dropped. The original file becomes the
domain's front door, re-exporting every public name (and the private names other
modules use). A development tool: the result is read and tested like any change.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

PY = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python")


def pyflakes(paths):
    return subprocess.run([PY, "-m", "pyflakes", *map(str, paths)], capture_output=True, text=True).stdout


def top_level_names(text: str) -> set[str]:
    names = set(re.findall(r"^(?:def|class) (\w+)", text, re.M))
    names |= set(re.findall(r"^(\w+)(?:: [^=\n]+)? = ", text, re.M))
    return names


def prune(path: Path) -> None:
    for _ in range(3):
        unused = set()
        for line in pyflakes([path]).splitlines():
            match = re.match(r".*?:\d+:\d+:? '(.+)' imported but unused", line)
            if match:
                unused.add(match.group(1).split(" as ")[-1].split(".")[-1])
        if not unused:
            return
        text = path.read_text()
        cut = re.search(r"^(def |class |@|[A-Za-z_]+(?:: [^=\n]+)? = |# ---)", text, re.M).start()
        head, rest = text[:cut], text[cut:]

        def block(match):
            module, items = match.group(1), match.group(2)
            names = [n.strip() for n in items.replace("\n", " ").replace("(", "").replace(")", "").split(",")
                     if n.strip()]
            keep = [n for n in names if n.split(" as ")[-1] not in unused]
            if not keep:
                return ""
            line = f"from {module} import {', '.join(keep)}"
            if len(line) > 110:
                out, current = f"from {module} import (\n", "   "
                for name in keep:
                    if len(current) + len(name) + 2 > 110:
                        out += current + "\n"
                        current = "   "
                    current += f" {name},"
                return out + current + "\n)\n"
            return line + "\n"

        head = re.sub(r"^from (\S+) import (\([^)]*\)|[^\n]+)\n", block, head, flags=re.M)
        head = re.sub(r"^import (\S+)\n", lambda m: "" if m.group(1).split(".")[-1] in unused else m.group(0),
                      head, flags=re.M)
        path.write_text(head + rest)


def main(source: str, plan_path: str) -> None:
    source_path = Path(source)
    plan = json.loads(Path(plan_path).read_text())
    text = source_path.read_text()
    doc_end = text.index('"""', 3) + 3
    body = text[doc_end:]
    first_marker = body.index(plan["rooms"][0][0])
    header = body[:first_marker]
    import_end = max(m.end() for m in re.finditer(r"^(?:from \S+ import (?:\([^)]*\)|[^\n]+)|import \S+)\n",
                                                     header, re.M))
    imports, constants = header[:import_end].strip("\n") + "\n", header[import_end:].strip("\n")
    package = source_path.parent
    dotted = ".".join(package.parts)
    sections = {}
    markers = plan["rooms"]
    for index, (marker, room, _) in enumerate(markers):
        start = body.index(marker)
        end = body.index(markers[index + 1][0]) if index + 1 < len(markers) else len(body)
        section = body[start:end]
        section = section[section.index("\n") + 1:].strip("\n") + "\n"  # drop the marker line
        sections[room] = sections.get(room, "") + ("\n\n" if room in sections else "") + section
    sections[plan["header"]] = constants + "\n\n\n" + sections.get(plan["header"], "")
    docs = {}
    for _, room, doc in markers:
        docs.setdefault(room, doc) if doc else None
    defined = {room: top_level_names(section) for room, section in sections.items()}
    paths = {room: package / f"{room}.py" for room in sections}
    for room, section in sections.items():
        paths[room].write_text(f'"""{docs[room]}"""\n{imports}\n\n{section}')
    for room, path in paths.items():
        wanted = {}
        for line in pyflakes([path]).splitlines():
            match = re.match(r".*?:\d+:\d+:? undefined name '(\w+)'", line)
            if match:
                name = match.group(1)
                owner = next((r for r, names in defined.items() if name in names and r != room), None)
                if owner is None:
                    raise SystemExit(f"{path}: undefined {name}")
                wanted.setdefault(owner, set()).add(name)
        if wanted:
            lines = "".join(f"from {dotted}.{owner} import {', '.join(sorted(names))}\n"
                            for owner, names in sorted(wanted.items()))
            text_now = path.read_text()
            at = text_now.index(imports) + len(imports)
            path.write_text(text_now[:at] + lines + text_now[at:])
        prune(path)
        path.write_text(re.sub(r"\n{4,}", "\n\n\n", path.read_text()))
    # the front door
    used_outside = set(re.findall(r"\b(_\w+)\b", subprocess.run(
        ["grep", "-rhoE", rf"(services|{package.name})\._\w+", "voting", "tests", "bench"],
        capture_output=True, text=True).stdout))
    lines, exported = [], []
    for room in sections:
        names = sorted(n for n in defined[room] if not n.startswith("_") or n in used_outside)
        if names:
            lines.append(f"from {dotted}.{room} import (\n" + "".join(f"    {n},\n" for n in names) + ")\n")
            exported += names
    facade = f'"""{plan["facade_doc"]}"""\n' + "".join(lines) + "\n__all__ = [\n" + "".join(
        f'    "{n}",\n' for n in sorted(exported)) + "]\n"
    source_path.write_text(facade)


if __name__ == "__main__":
    main(*sys.argv[1:])
