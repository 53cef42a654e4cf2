#pragma once

#include "EngineTypes.h"

#include <QList>
#include <QString>
#include <QStringList>

// What the newest engines and the NVIDIA Container Toolkit changed about CDI: the toolkit 1.19
// writes specs of cdiVersion 0.7.0, which Docker before 26.1 and Podman before 5.1 cannot read
// (they refuse the whole file); Docker 29.2 hands out `--gpus` through CDI; rootless Docker 29.2
// also reads $XDG_CONFIG_HOME/cdi.
namespace CdiSpecVersions {

// The spec's "cdiVersion" ("0.7.0"), JSON or YAML; empty with *error set when unreadable.
QString readVersion(const QString &path, QString *error = nullptr);

// The newest cdiVersion this engine can read, or empty when it reads every version GPU Deck
// knows of (0.7.0 and older).
QString newestReadable(const EngineInfo &info);

// Docker 29.2 and newer turn a `--gpus` request into CDI devices of the GPU's vendor: without an
// NVIDIA CDI spec (or the toolkit's hook) it fails with "no known GPU vendor".
bool gpusThroughCdi(const EngineInfo &info);

// The directories GPU Deck reads for a local engine: its CDISpecDirs, and for rootless Docker
// 29.2+ also $XDG_CONFIG_HOME/cdi (default ~/.config/cdi) when the engine did not list it.
QStringList specDirsFor(const EngineInfo &info);

// Spec files this engine cannot read for their version: one sentence naming each file, its
// version and what the engine reads, and the fix. ok() when there is none.
struct Report
{
    QStringList unreadable; // "/etc/cdi/nvidia.yaml (cdiVersion 0.7.0)"
    QString detail;
    QString fix;
    QString command;

    bool ok() const { return unreadable.isEmpty(); }
};
Report check(const QStringList &files, const EngineInfo &info);

// The toolkit's flag that keeps a generated spec at a version older engines read.
extern const char *const kGenerateOlderSpec;

} // namespace CdiSpecVersions
