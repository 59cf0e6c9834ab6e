"""`scaffolder templates` and `scaffolder new`: list the Copier templates and render one."""

from __future__ import annotations

import json
import sys

from scaffolder.cli import EXIT_OK, UsageError


def register(commands) -> None:
    templates = commands.add_parser(
        "templates",
        help="list the project templates",
        description="List the project templates (name, mode, language, description). "
        "With a NAME, list that template's questions: the keys `scaffolder new --data` accepts.",
    )
    templates.add_argument("name", nargs="?", metavar="NAME", help="show the questions of this template")
    templates.add_argument("--json", action="store_true", help="print JSON instead of a table")
    templates.set_defaults(handler=run_templates)

    new = commands.add_parser(
        "new",
        help="create a project from a template",
        description="Create a CloudBase Run project in DEST from TEMPLATE (see `scaffolder templates`). "
        "Questions not answered with --data are asked on a terminal; with --defaults, or when stdin "
        "is not a terminal, their defaults are used. The service name defaults to DEST's folder name.",
    )
    new.add_argument("template", metavar="TEMPLATE", help="template name: function, container or agent")
    new.add_argument("dest", metavar="DEST", help="folder to create (must not exist or be empty)")
    new.add_argument(
        "--data", "-d", action="append", default=[], metavar="KEY=VALUE",
        help="answer a question, e.g. --data language=go --data cpu=0.5 (repeatable)",
    )
    new.add_argument("--defaults", action="store_true", help="use the default answer for every question not given with --data")
    new.add_argument("--overwrite", action="store_true",
                     help="write into DEST even if it is not empty (files with the same names are replaced)")
    new.set_defaults(handler=run_new)


def _default_label(default):
    # A templated default such as "{{ [5, min_num] | max }}" is shown as its expression.
    if isinstance(default, str) and "{{" in default:
        return "= " + default.replace("{{", "").replace("}}", "").strip()
    return default


def _question_rows(template) -> list[dict]:
    return [
        {
            "name": q.name,
            "type": q.type,
            "default": _default_label(q.default),
            "choices": list(q.choices) if q.choices else None,
            "help": q.help,
        }
        for q in template.askable
    ]


def run_templates(args) -> int:
    from scaffolder.generate import GenerateError, get_template, list_templates, template_rows

    if args.name:
        try:
            template = get_template(args.name)
        except GenerateError as error:
            raise UsageError(str(error)) from None
        rows = _question_rows(template)
        if args.json:
            print(json.dumps({**template_rows([template])[0], "questions": rows}, indent=2, ensure_ascii=False))
            return EXIT_OK
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{template.name}: {template.description}", title_justify="left")
        for column in ("question", "type", "default", "choices", "help"):
            table.add_column(column, overflow="fold")
        for row in rows:
            choices = ", ".join(str(c) for c in row["choices"]) if row["choices"] else ""
            table.add_row(row["name"], row["type"], str(row["default"]), choices, row["help"])
        Console(highlight=False).print(table)
        return EXIT_OK

    templates = list_templates()
    rows = template_rows(templates)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} templates (scaffolder new TEMPLATE DEST)", title_justify="left")
    for column in ("name", "mode", "language", "description"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["mode"], row["language"], row["description"])
    Console(highlight=False).print(table)
    return EXIT_OK


def run_new(args) -> int:
    from scaffolder.generate import GenerateError, generate, next_steps, parse_data

    try:
        data = parse_data(args.data)
        result = generate(args.template, args.dest, data, defaults=args.defaults, overwrite=args.overwrite)
    except GenerateError as error:
        raise UsageError(str(error)) from None

    answers = result.answers
    name = answers.get("service_name", "")
    extra = f", BotId {answers['bot_id']}" if "bot_id" in answers else ""
    extra += f", {answers['language']}" if "language" in answers else ""
    print(f"Created {args.dest} from template {result.template.name!r} "
          f"(service {name}{extra}; {len(result.files)} files).")
    print("Next steps:")
    for line in next_steps(result, shown_path=args.dest):
        print(f"  {line}")
    sys.stdout.flush()
    return EXIT_OK
