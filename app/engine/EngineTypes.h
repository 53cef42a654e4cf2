#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

// GET /info, reduced to what GPU Deck shows and checks.
struct EngineInfo
{
    QString serverVersion;   // "20.10.24+dfsg1"
    QString apiVersion;      // negotiated, "1.41"
    QString engineApiVersion;// the engine's own maximum
    QString defaultRuntime;  // "runc"
    QStringList runtimes;    // names registered with the engine, sorted
    QStringList cdiSpecDirs; // empty when the engine has no CDI
    QJsonArray discoveredDevices; // API 1.50+: [{"Source": "cdi", "ID": "nvidia.com/gpu=0"}]
    QString operatingSystem;
    QString kernelVersion;
    int cpus = 0;
    qint64 memoryBytes = 0;
    QString rootDir;
    QJsonObject raw;
};

// One entry of GET /images/json.
struct ImageSummary
{
    QString id;           // sha256:...
    QStringList repoTags; // "repo:tag"; empty or ["<none>:<none>"] for dangling images
    qint64 size = 0;      // bytes
    QDateTime created;
    QJsonObject labels;
    QString displayName() const;       // the first usable repo:tag, else the short id
    bool looksGpuReady() const;        // CUDA / NVIDIA labels or names
};

Q_DECLARE_METATYPE(EngineInfo)
Q_DECLARE_METATYPE(ImageSummary)
