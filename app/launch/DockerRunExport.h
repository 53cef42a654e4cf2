#pragma once

#include <QString>
#include <QStringList>

struct LaunchSpec;

// The launch as a `docker run` command line that a POSIX shell runs unchanged.
class DockerRunExport
{
public:
    // argv as docker receives it, starting with "docker", "run".
    static QStringList arguments(const LaunchSpec &spec, bool detach);
    // arguments() quoted for sh: plain words bare, everything else in single quotes.
    static QString commandLine(const LaunchSpec &spec, bool detach);
    // The same launch as `podman run`: GPUs always as --device CDI names (Podman has no --gpus
    // path to a toolkit hook), e.g. podman run --device nvidia.com/gpu=0 ...
    static QStringList podmanArguments(const LaunchSpec &spec, bool detach);
    static QString podmanCommandLine(const LaunchSpec &spec, bool detach);
    static QString shellQuote(const QString &word);
};
