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

#include <optional>

// One launch as the user picked it: the value the window edits, presets store, the exports
// print, and the launcher sends. Its wire bodies are built from it by DockerCreateBody and
// LibpodCreateBody; its GPUs' CDI names by CdiNames. Whether to detach is a property of a run, not of the launch.
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
    // Unset: the image's entrypoint; set, even to nothing: replaces it (docker run --entrypoint).
    std::optional<QStringList> entrypoint;
    // Config.Labels of the container: set for one run (ContainerRecord::presetLabel, gpusLabel),
    // never stored in a preset.
    QJsonObject labels;
    // How the process runs (docker run -i, --user, -w, --entrypoint, --ulimit).
    bool interactive = false;
    QString user;
    QString workdir;
    QStringList ulimits; // NAME=SOFT[:HARD] (Ulimit)

    // compute, utility, graphics, video, display, compat32
    static const QStringList &knownCapabilities();

    bool usesGpus() const { return gpus.mode != GpuSelection::Mode::None; }
    bool usesCdi() const { return usesGpus() && deviceDriver == QLatin1String("cdi"); }

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

    bool operator==(const LaunchSpec &other) const;
    bool operator!=(const LaunchSpec &other) const { return !(*this == other); }
};

// "1.41" < "1.44"; empty or malformed compares as 0.0.
int compareApiVersions(const QString &a, const QString &b);
