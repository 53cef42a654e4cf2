#pragma once

#include "LaunchSpec.h"
#include "common/Result.h"
#include "gpu/GpuSnapshot.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

// "N free GPUs": picks the first N GPUs of the engine's host that GpuInfo::isFree() calls free
// and no running container holds (heldBy: GPU UUID -> the containers holding it, idle or not)
// and no other launch has claimed on the engine (claimedBy: GPU UUID -> the claiming containers,
// GpuLedger),
// and keeps, per host, the GPUs that launches of this process have picked but whose containers
// do not run yet (an in-process reservation), so that two launches started at the same moment
// never take the same GPU. Other processes' launches are seen through their claims.
class FreeGpuPicker
{
public:
    // The first count free GPUs of host that are not reserved or held. Fewer: the refusal names
    // who holds the others (containers, PIDs and memory), and which GPUs another launch is taking.
    static Result<QList<GpuInfo>> pick(const GpuSnapshot &host, int count,
                                       const QStringList &reserved = {},
                                       const QHash<QString, QString> &heldBy = {},
                                       const QHash<QString, QString> &claimedBy = {});

    // spec with a Free selection turned into explicit devices picked from host: GPU UUIDs, or
    // for CDI the index names every CDI spec has. Other selections come back unchanged.
    // taken, when given, receives the picked GPUs.
    static Result<LaunchSpec> resolve(const LaunchSpec &spec, const GpuSnapshot &host,
                                      const QStringList &reserved = {},
                                      QList<GpuInfo> *taken = nullptr,
                                      const QHash<QString, QString> &heldBy = {},
                                      const QHash<QString, QString> &claimedBy = {});

    // The one way a launch's free GPUs are picked, for the launch and for every preview of it:
    // spec as an engine of this kind takes it, resolved against host minus what this process's
    // launches on hostKey (the engine's Endpoint::gpuHostKey) are taking.
    static Result<LaunchSpec> resolveOn(const LaunchSpec &spec, EngineKind kind,
                                        const GpuSnapshot &host, const QString &hostKey,
                                        QList<GpuInfo> *taken = nullptr);

    // "GPU 1 (GPU-3a7c…), GPU 2 (GPU-…)": which GPUs a launch took, for the log tab and stderr.
    static QString describe(const QList<GpuInfo> &gpus);
    static QStringList uuids(const QList<GpuInfo> &gpus);

    // The reservations of this process. host is the GPU host (Endpoint::gpuHostKey).
    static QStringList reserved(const QString &host);
    static void reserve(const QString &host, const QStringList &uuids);
    static void release(const QString &host, const QStringList &uuids);
};
