#pragma once

#include <QStringList>

// The headless commands of DESIGN.md: gpus, images, run, preset, doctor, plus --help/--version.
namespace CommandLine {

// True when argv names a headless command (or --help/--version), so no GUI is started.
bool isHeadless(int argc, char *argv[]);

// Runs the command under a QCoreApplication and returns the process exit code:
// 0 ok, the container's code for run, 125 when a launch failed, 2 for bad usage, 1 otherwise.
int run(int argc, char *argv[]);

// The one reading of -H/--host, for the window and the headless commands: takes every
// `-H URL`, `--host URL` and `--host=URL` out of args, wherever they are, and returns the last
// URL (empty without one). An -H or --host at the end, without its URL, stays in args for the
// caller to refuse.
QString takeHost(QStringList &args);

} // namespace CommandLine
