"""The report's blocks rendered twice, to Markdown and to HTML (a Jinja2 template, package data, autoescaped),
so the two never disagree. A block is (kind, ...): h1/h2/h3 text, p text, answer (lead, items), img (stem, alt),
ul items, table (header, rows)."""

from jinja2 import Environment, PackageLoader, select_autoescape


def markdown(blocks: list[tuple]) -> str:
    lines: list[str] = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + rest[0], ""]
        elif kind == "p":
            lines += [rest[0], ""]
        elif kind == "answer":
            lines += [f"**{rest[0]}**", ""] + [f"- {item}" for item in rest[1]] + [""]
        elif kind == "img":
            lines += [f"![{rest[1]}]({rest[0]}.svg)", ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in rest[0]] + [""]
        elif kind == "table":
            header, rows = rest
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in rows] + [
                ""
            ]
    return "\n".join(lines)


def html(blocks: list[tuple], title: str) -> str:
    env = Environment(
        loader=PackageLoader("exmech", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(blocks=blocks, title=title)
