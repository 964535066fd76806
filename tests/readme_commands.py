#!/usr/bin/python3
"""Every command the README shows must exist with the flags it is shown with.

usage: readme_commands.py ROPEBENCH README SCRIPTS_DIR

Takes each line of the README's ```sh blocks and each inline code span that starts with `ropebench`
or `build/ropebench` (or names a ropebench command and a flag, as in `validate --suite all`), and
checks that the command is one `ropebench help` lists and that each `--flag` is in that command's
`--help`; a `scripts/NAME` example must name an existing script whose source spells each flag. A
renamed flag or command left in the README fails here. Exit 0 when all hold, 1 naming each miss.
"""
import pathlib
import re
import subprocess
import sys

PLACEHOLDER = re.compile(r"^[A-Z][A-Z_.]*$")  # COMMAND, REPORT.json: words a user substitutes


def ropebench_commands(ropebench):
    overview = subprocess.run([ropebench, "help"], capture_output=True, text=True, check=True).stdout
    section = overview.split("commands:", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def examples(readme):
    """Yields the command lines the README shows, comments and shell quoting stripped."""
    in_sh = False
    for line in readme.splitlines():
        if line.startswith("```"):
            in_sh = line.strip() == "```sh"
            continue
        if in_sh:
            yield line.split("#", 1)[0].strip()
        else:
            yield from re.findall(r"`([^`]+)`", line)


def flags_of(words):
    return [re.sub(r"[\[\]]", "", w).split("=", 1)[0] for w in words if w.lstrip("[").startswith("--")]


def problems(readme, ropebench, scripts, commands):
    help_of = {}
    for example in examples(readme):
        words = example.replace("'", " ").split()
        while words and re.match(r"^[A-Z_]+=", words[0]):  # an environment assignment first
            words = words[1:]
        if not words:
            continue
        if words[0] in ("ropebench", "build/ropebench"):
            words = words[1:]
        elif not (words[0] in commands and any(w.startswith("--") for w in words)):
            if words[0].startswith("scripts/") and words[0] != "scripts/":
                script = scripts / words[0].removeprefix("scripts/")
                if not script.is_file():
                    yield f"'{example}': no such script"
                    continue
                source = script.read_text()
                for flag in flags_of(words[1:]):
                    if flag not in source:
                        yield f"'{example}': {words[0]} has no flag {flag}"
            continue
        if not words or PLACEHOLDER.match(words[0]):
            continue
        if words[0] not in commands:
            yield f"'{example}': ropebench has no command '{words[0]}'"
            continue
        if words[0] not in help_of:
            help_of[words[0]] = subprocess.run([ropebench, words[0], "--help"], capture_output=True,
                                               text=True).stdout
        for flag in flags_of(words[1:]):
            if flag != "--help" and not re.search(re.escape(flag) + r"\b", help_of[words[0]]):
                yield f"'{example}': '{words[0]} --help' has no flag {flag}"


def main():
    ropebench, readme, scripts = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    commands = ropebench_commands(ropebench)
    found = list(problems(readme.read_text(), ropebench, scripts, commands))
    for problem in found:
        print(f"README: {problem}")
    # The check itself must be able to fail: a README with stale examples is caught.
    stale = "```sh\nbuild/ropebench validate --no-such-flag\nscripts/test --no-such-flag\n```\n" \
            "`ropebench no-such-command --quiet`\n"
    if len(list(problems(stale, ropebench, scripts, commands))) != 3:
        print("self-test: stale examples were not all caught")
        return 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
