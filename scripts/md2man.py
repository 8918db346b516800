#!/usr/bin/python3
"""md2man.py: turn one of calf's reference pages (a small, regular subset of
Markdown) into a man(7) page, so the page and the Markdown never disagree:
doc/routine.md is the one source of routine.ini(5).

    md2man.py NAME SECTION DATE VERSION < doc/routine.md > routine.ini.5

What it reads: `#` (the title, dropped: the NAME line replaces it), `##`
and `###` headings, paragraphs, `-` lists, blocks indented by four blanks,
and tables whose first column names a key. Inline `code` becomes bold and
**strong** becomes bold; nothing else is special. Anything it does not
understand is an error, so a new construct in the Markdown cannot vanish
from the page unnoticed.
"""

import re
import sys


def esc(text):
    """Text for a roff line: backslashes, and dots or quotes that start it."""
    text = text.replace("\\", "\\e")
    text = text.replace("\u00a0", "\\ ")
    return text


def inline(text):
    """`code` and **strong** as bold, the rest as it is."""
    out = []
    pos = 0
    for m in re.finditer(r"`([^`]+)`|\*\*([^*]+)\*\*", text):
        out.append(esc(text[pos:m.start()]))
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        out.append("\\fB" + esc(inner) + "\\fR")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def line_out(text):
    """One output line; a leading dot or quote would be read as a request."""
    if text.startswith((".", "'")):
        return "\\&" + text
    return text


def cells(row):
    row = row.strip()
    if not (row.startswith("|") and row.endswith("|")):
        raise ValueError(f"not a table row: {row!r}")
    return [c.strip() for c in row[1:-1].split("|")]


def convert(lines, name, section, date, version):
    out = [
        f'.TH {name.upper()} {section} "{date}" "calf {version}" '
        f'"calf manual"',
        ".SH NAME",
        f"{esc(name)} \\- the routine file of calfd, the calf-care timer",
    ]
    i = 0
    n = len(lines)
    para = []

    def flush():
        if para:
            out.append(".PP")
            out.append(line_out(inline(" ".join(para))))
            para.clear()

    seen_title = False
    while i < n:
        ln = lines[i].rstrip("\n")
        if ln.startswith("# "):
            if seen_title:
                raise ValueError(f"line {i + 1}: a second title")
            seen_title = True
            flush()
            out.append(".SH DESCRIPTION")
            i += 1
        elif ln.startswith("## "):
            flush()
            out.append(".SH " + inline(ln[3:].upper()))
            i += 1
        elif ln.startswith("### "):
            flush()
            out.append(".SS " + inline(ln[4:]))
            i += 1
        elif ln.strip() == "":
            flush()
            i += 1
        elif ln.startswith("    "):
            flush()
            out.append(".PP")
            out.append(".RS 4")
            out.append(".nf")
            while i < n and (lines[i].startswith("    ") or
                             (lines[i].strip() == "" and i + 1 < n and
                              lines[i + 1].startswith("    "))):
                out.append(line_out(esc(lines[i].rstrip("\n")[4:])))
                i += 1
            out.append(".fi")
            out.append(".RE")
        elif ln.startswith("- "):
            flush()
            while i < n and lines[i].startswith("- "):
                item = [lines[i][2:].strip()]
                i += 1
                while i < n and lines[i].startswith("  ") and \
                        lines[i].strip() != "":
                    item.append(lines[i].strip())
                    i += 1
                out.append(".IP \\(bu 2")
                out.append(line_out(inline(" ".join(item))))
        elif ln.startswith("|"):
            flush()
            head = cells(ln)
            if i + 1 >= n or not re.fullmatch(r"\|[-| :]+\|",
                                              lines[i + 1].strip()):
                raise ValueError(f"line {i + 1}: a table without its rule")
            i += 2
            while i < n and lines[i].startswith("|"):
                row = cells(lines[i])
                if len(row) != len(head):
                    raise ValueError(f"line {i + 1}: {len(row)} cells, "
                                     f"the header has {len(head)}")
                out.append(".TP")
                out.append(line_out(inline(row[0])))
                for h, c in zip(head[1:], row[1:]):
                    out.append(line_out(inline(c) if h.lower() in
                                        ("value", "what") else
                                        f"{inline(h.capitalize())}: "
                                        f"{inline(c)}"))
                    out.append(".br")
                if out[-1] == ".br":
                    out.pop()
                i += 1
        elif re.match(r"[#>*`]|\d+\. ", ln) and not ln.startswith("`"):
            raise ValueError(f"line {i + 1}: not understood: {ln!r}")
        else:
            para.append(ln.strip())
            i += 1
    flush()
    if not seen_title:
        raise ValueError("no title line")
    out += [
        ".SH FILES",
        ".TP",
        "\\fI~/.config/calf/routine.ini\\fR",
        "a person's routine",
        ".TP",
        "\\fI/etc/calf/routine.ini\\fR",
        "the routine of a system-wide calfd",
        ".SH SEE ALSO",
        ".BR calfd (8),",
        ".BR calfctl (1)",
    ]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: md2man.py NAME SECTION DATE VERSION < FILE.md")
    name, section, date, version = sys.argv[1:]
    try:
        sys.stdout.write(convert(sys.stdin.readlines(), name, section,
                                 date, version))
    except ValueError as e:
        sys.exit(f"md2man.py: {e}")


if __name__ == "__main__":
    main()
