#pragma once

#include "GpuSelection.h"
#include "ValidationIssue.h"
#include "common/Result.h"
#include "engine/EngineTypes.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

// One launch as the user picked it: the value the window edits, presets store, the exports
// print, and the launcher sends. Whether to detach is a property of a run, not of the launch.
struct LaunchSpec
{
    QString image;
    QStringList command; // empty: the image's default command
    GpuSelection gpus;
    QStringList capabilities; // NVIDIA driver capabilities besides the implied "gpu"
    QString deviceDriver;     // "" (the daemon picks by capability), "nvidia" or "cdi"
    QString runtime;          // "" = the daemon's default
    QStringList env;          // "KEY=value"
    bool autoRemove = true;   // docker run --rm
    bool tty = false;
    QString containerName;
    QString shmSize; // "" = daemon default, else e.g. "1g"
    QString ipcMode;
    QStringList binds;   // "src:dst[:options]"
    QString networkMode; // "" = daemon default
    QStringList ports;   // as `docker run -p` takes them (PortMapping)
    // How the process runs (docker run -i, --user, -w, --entrypoint, --ulimit).
    bool interactive = false;
    QString user;
    QString workdir;
    QStringList entrypoint;
    QStringList ulimits; // NAME=SOFT[:HARD] (Ulimit)

    // compute, utility, graphics, video, display, compat32
    static const QStringList &knownCapabilities();

    bool usesGpus() const { return gpus.mode != GpuSelection::Mode::None; }
    bool usesCdi() const { return usesGpus() && deviceDriver == QLatin1String("cdi"); }

    // The CDI device names the GPUs become: a picked index, UUID or MIG device d is
    // "nvidia.com/gpu=d" (a name that is already qualified stays), All is "nvidia.com/gpu=all",
    // a count N the first N indexes (and so does an unresolved "N free GPUs").
    QStringList cdiDevices() const;
    static QString cdiNameFor(const QString &device);
    static const QString &cdiGpuKind(); // "nvidia.com/gpu"

    // The launch as this kind of engine takes it: on Podman, GPUs are always CDI devices.
    LaunchSpec resolvedFor(EngineKind kind) const;

    // The capability AND-list as the docker CLI sends it: the user's list, then "gpu".
    QStringList requestCapabilities() const;

    // Every problem, one message each. apiVersion is the negotiated Engine API version
    // ("1.41"); empty when not known yet, which skips the checks that depend on it.
    // Podman refuses the "nvidia" runtime and device driver at their fields (it takes GPUs only
    // as CDI devices), and its API version says nothing about CDI.
    QList<ValidationIssue> validate(const QString &apiVersion = {},
                                    EngineKind kind = EngineKind::Docker) const;

    // The one place the Docker JSON of a launch is written: the body of POST /containers/create,
    // and its query (the container's name).
    QJsonObject createBody(bool detach = false) const;
    QJsonArray deviceRequests() const;
    QUrlQuery createQuery() const;
    // The same launch for Podman's own POST /libpod/containers/create (a SpecGenerator), which
    // Podman before 5.4 needs for CDI devices: {"devices": [{"path": "nvidia.com/gpu=0"}]}. GPUs
    // are CDI devices here whatever deviceDriver says.
    QJsonObject libpodCreateBody() const;

    // "1g" -> 1073741824, as docker's --shm-size reads it (binary units).
    static Result<qint64> parseByteSize(const QString &text);

    bool operator==(const LaunchSpec &other) const;
    bool operator!=(const LaunchSpec &other) const { return !(*this == other); }
};

// "1.41" < "1.44"; empty or malformed compares as 0.0.
int compareApiVersions(const QString &a, const QString &b);
