#pragma once

#include <QString>
#include <QStringList>

struct LaunchSpec;

// The launch as a `docker run` command line that a POSIX shell runs unchanged.
class DockerRunExport
{
public:
    // argv as docker receives it, starting with "docker", "run". engine: a preset's engine, said
    // as `docker --context NAME run` or `docker -H URL run`; empty for the usual resolution.
    static QStringList arguments(const LaunchSpec &spec, bool detach, const QString &engine = {});
    // arguments() quoted for sh: plain words bare, everything else in single quotes.
    static QString commandLine(const LaunchSpec &spec, bool detach, const QString &engine = {});
    // The same launch as `podman run`: GPUs always as --device CDI names (Podman has no --gpus
    // path to a toolkit hook), e.g. podman run --device nvidia.com/gpu=0 ...
    static QStringList podmanArguments(const LaunchSpec &spec, bool detach);
    static QString podmanCommandLine(const LaunchSpec &spec, bool detach);
};
