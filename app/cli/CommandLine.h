#pragma once

// The headless commands of DESIGN.md: gpus, images, run, preset, doctor, plus --help/--version.
namespace CommandLine {

// True when argv names a headless command (or --help/--version), so no GUI is started.
bool isHeadless(int argc, char *argv[]);

// Runs the command under a QCoreApplication and returns the process exit code:
// 0 ok, the container's code for run, 125 when a launch failed, 2 for bad usage, 1 otherwise.
int run(int argc, char *argv[]);

} // namespace CommandLine
