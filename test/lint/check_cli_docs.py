#!/usr/bin/env python3
"""bentoctl's commands are documented where people look: every subcommand that
`bentoctl --help` lists has its own entry in the man page (doc/bentoctl.1, a `.B NAME`
line under COMMANDS) and is in the bash completion's command list
(ctl/bentoctl.bash-completion), and so are the commands the man page adds (serve). Every
option that a command's `--help` shows is named in the man page and the completion.

usage: check_cli_docs.py SOURCE_ROOT BENTOCTL
"""
import re
import subprocess
import sys

root, bentoctl = sys.argv[1], sys.argv[2]
man = open(root + "/doc/bentoctl.1").read()
completion = open(root + "/ctl/bentoctl.bash-completion").read()
failures = []


def help_of(*args):
    return subprocess.run([bentoctl, *args, "--help"], capture_output=True, text=True).stdout


top = help_of()
subcommands = re.findall(r"^  ([a-z]+) {2,}", top.split("Subcommands:")[1], re.M)
if len(subcommands) < 8:
    failures.append("bentoctl --help lists only %s" % subcommands)
commands_line = re.search(r'local commands="([^"]*)"', completion)
completed = set(commands_line.group(1).split()) if commands_line else set()
man_commands = set(re.findall(r"^\.TP\n\.B ([a-z]+)\b", man.split(".SH COMMANDS")[1].split(".SH EXIT")[0], re.M))
for cmd in subcommands:
    if cmd not in man_commands:
        failures.append("doc/bentoctl.1 has no entry for '%s'" % cmd)
    if cmd not in completed:
        failures.append("ctl/bentoctl.bash-completion does not complete '%s'" % cmd)
    for opt in re.findall(r"^  (?:-\w,)?(--[a-z-]+)", help_of(cmd), re.M):
        if opt == "--help":
            continue
        if opt.replace("-", r"\-") not in man:
            failures.append("doc/bentoctl.1 does not name %s %s" % (cmd, opt))
        if opt not in completion:
            failures.append("ctl/bentoctl.bash-completion does not complete %s %s" % (cmd, opt))
for cmd in man_commands - set(subcommands):  # documented ahead of main.cc (serve)
    if cmd not in completed:
        failures.append("doc/bentoctl.1 documents '%s' but the completion lacks it" % cmd)
for f in failures:
    print(f)
print("%d commands checked in doc/bentoctl.1 and the completion: %s" % (len(subcommands), "FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)
