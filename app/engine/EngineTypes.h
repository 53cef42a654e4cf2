#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

// Which product answers on the Docker Engine API. Podman's version numbers are its own: never
// compare them with Docker's thresholds.
enum class EngineKind { Docker, Podman };

// Podman from GET /version: a component named "Podman Engine".
bool isPodmanVersion(const QJsonObject &version);
// "4.3.1" >= "5.4": dotted numbers compared part by part, missing parts as 0.
int compareDottedVersions(const QString &a, const QString &b);

// GET /info, reduced to what GPU Deck shows and checks.
struct EngineInfo
{
    EngineKind kind = EngineKind::Docker;
    QString serverVersion;    // "20.10.24+dfsg1"; Podman: "4.3.1"
    QString apiVersion;       // negotiated, "1.41"
    QString engineApiVersion; // the engine's own maximum
    QString defaultRuntime;   // "runc"
    QStringList runtimes;     // names registered with the engine, sorted
    // empty when the engine has no CDI; Podman: the directories it always reads
    QStringList cdiSpecDirs;
    QJsonArray discoveredDevices; // API 1.50+: [{"Source": "cdi", "ID": "nvidia.com/gpu=0"}]
    QString operatingSystem;
    QString kernelVersion;
    int cpus = 0;
    qint64 memoryBytes = 0;
    QString rootDir;
    QJsonObject raw;

    bool isPodman() const { return kind == EngineKind::Podman; }
    // "Docker 26.1.5+dfsg1", "Podman 4.3.1": how the window and the doctor name the engine.
    QString productName() const;
    // Docker has CDI when /info lists spec directories (the "cdi" feature, on by default from
    // 28.2); Podman always has it.
    bool cdiEnabled() const { return isPodman() || !cdiSpecDirs.isEmpty(); }
    // A swarm manager: the engine can list the swarm's nodes and run services.
    bool isSwarmManager() const;
};

// One entry of GET /images/json.
struct ImageSummary
{
    QString id;           // sha256:...
    QStringList repoTags; // "repo:tag"; empty or ["<none>:<none>"] for dangling images
    qint64 size = 0;      // bytes
    QDateTime created;
    QJsonObject labels;
    QString displayName() const; // the first usable repo:tag, else the short id
    bool looksGpuReady() const;  // CUDA / NVIDIA labels or names
};

Q_DECLARE_METATYPE(EngineInfo)
Q_DECLARE_METATYPE(ImageSummary)
