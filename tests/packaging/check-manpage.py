#!/usr/bin/env python3
"""Keeps the hand-written man page in step with `gpudeck --help` and `--version`.

Every command, option and environment variable that --help names must be in the man page, and
every command, option and environment variable the man page documents must be in --help.
Usage: check-manpage.py GPUDECK_BINARY MAN_PAGE
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w/-])(--?[a-z][a-z-]*)")
ENV_VAR = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b")
# Leading lower-case words of a synopsis: "preset show NAME [...]" -> "preset show".
COMMAND = re.compile(r"^([a-z]+(?: [a-z]+)*)(?: |$)")


def plain(roff):
    """The man page source without font changes and escapes, line by line."""
    text = re.sub(r"\\f[BIRP]", "", roff)
    text = text.replace("\\-", "-").replace("\\(dq", '"').replace("\\ ", " ")
    return text.splitlines()


def sections(lines):
    """Maps each .SH name to its lines."""
    result, current = {}, None
    for line in lines:
        if line.startswith(".SH "):
            current = line[4:].strip().strip('"')
            result[current] = []
        elif current:
            result[current].append(line)
    return result


def item_heads(lines):
    """The line after each .TP (the item's head), with the macro name removed."""
    heads = []
    for before, line in zip(lines, lines[1:]):
        if before.strip() == ".TP":
            heads.append(re.sub(r"^\.[A-Z]+\s+", "", line).replace('"', ""))
    return heads


def help_commands(help_text):
    """Command phrases from the Commands section of --help."""
    block = help_text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    phrases = []
    for line in block.splitlines():
        # Synopses are indented by two spaces; their descriptions by six.
        if line.startswith("  ") and not line.startswith("   "):
            match = COMMAND.match(line.strip())
            if match:
                phrases.append(match.group(1))
    return phrases


def main():
    binary, man_path = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    with open(man_path, encoding="utf-8") as f:
        lines = plain(f.read())
    text = "\n".join(lines)
    parts = sections(lines)
    problems = []

    th = next((line for line in lines if line.startswith(".TH ")), "")
    if f'"{version}"' not in th:
        problems.append(f"the .TH line does not name the version '{version}': {th}")

    man_commands = []
    for head in item_heads(parts.get("COMMANDS", [])):
        match = COMMAND.match(head)
        if match:
            man_commands.append(match.group(1))
    for phrase in help_commands(help_text):
        if phrase not in man_commands:
            problems.append(f"--help has the command '{phrase}', the man page's COMMANDS does not")
    for phrase in man_commands:
        if phrase not in help_commands(help_text):
            problems.append(f"the man page documents the command '{phrase}', --help does not")

    help_options = set(OPTION.findall(help_text))
    man_options = set(OPTION.findall(text))
    option_heads = " ".join(item_heads(parts.get("OPTIONS", [])))
    for option in sorted(help_options):
        if option not in set(OPTION.findall(option_heads)):
            problems.append(f"--help has the option {option}, the man page's OPTIONS does not")
    for option in sorted(man_options - help_options):
        problems.append(f"the man page has the option {option}, --help does not")

    help_env = set(ENV_VAR.findall(help_text))
    man_env = set(ENV_VAR.findall(" ".join(item_heads(parts.get("ENVIRONMENT", [])))))
    for name in sorted(help_env - man_env):
        problems.append(f"--help names {name}, the man page's ENVIRONMENT does not")
    for name in sorted(man_env - help_env):
        problems.append(f"the man page's ENVIRONMENT names {name}, --help does not")

    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"man page in step with --help: {len(man_commands)} commands, {len(help_options)} options, "
          f"{len(help_env)} environment variables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
