#pragma once

#include "gpu/GpuSample.h"
#include "gpu/GpuSnapshot.h"
#include "gpu/SampleRing.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

// What each GPU (by UUID) and each holder of its memory did over the last hour, fed one snapshot
// at a time (GpuMonitor feeds every read: NVML each second, nvidia-smi or a remote host at its
// own rate). Every buffer is a SampleRing of fixed size, and the number of GPUs and of owners per
// GPU is capped, so memory is bounded from the start and does not grow with time.
class GpuHistory
{
public:
    static constexpr qsizetype kSamples = 3600; // an hour at one read a second
    static constexpr qsizetype kMaxGpus = 16;
    static constexpr qsizetype kMaxOwnersPerGpu = 16; // the least recently seen goes first

    // Who held a GPU's memory: a container (key "container:ID") or a process outside one
    // ("pid:N"); label is what the plot names it by.
    struct OwnerSeries
    {
        QString key;
        QString label;
        SampleRing<OwnerSample> samples{kSamples};
    };

    struct GpuSeries
    {
        QString uuid;
        int index = -1;
        QString name;
        qint64 memoryTotal = -1; // bytes
        SampleRing<GpuSample> samples{kSamples};
        QList<OwnerSeries> owners;
    };

    // Adds one sample per GPU in snapshot at snapshot.taken; a snapshot no newer than the last one
    // recorded for a GPU (the monitor re-sends one when it learns a container's name) only renews
    // the owners' labels.
    void record(const GpuSnapshot &snapshot);
    void clear() { m_gpus.clear(); }

    QStringList uuids() const;
    const GpuSeries *gpu(const QString &uuid) const;

    // One container's GPU use at one sample time: its processes' memory summed over the GPUs it
    // held then, and its utilisation (-1: unknown): on each GPU, its processes' SM utilisation
    // summed (capped at 100) where NVML gave per-process figures, else the GPU's utilisation
    // (nvidia-smi, remote hosts, drivers without them, a GPU it holds without a process); the
    // highest over its GPUs.
    struct ContainerPoint
    {
        qint64 msecs = 0;
        qint64 memoryBytes = 0;
        int gpuUtil = -1;
    };
    // A container's use over the history, oldest first. containerId: its ID (a prefix of 12 or
    // more is enough). heldGpus: UUIDs of GPUs it holds without a process there (its device
    // request), counted for utilisation from sinceMs on; GPUs its processes used count while they
    // did.
    QList<ContainerPoint> containerUse(const QString &containerId, const QStringList &heldGpus = {},
                                       qint64 sinceMs = 0) const;

    // Bytes held by the buffers.
    qsizetype memoryBytes() const;

    // One GPU's samples as CSV (a header, then one row a sample, oldest first, each owner's memory
    // in MiB in a column of its own); empty when the GPU is not known.
    QByteArray csv(const QString &uuid) const;

    static QString ownerKey(const GpuInfo::Process &p);
    static QString ownerLabel(const GpuInfo::Process &p);

private:
    GpuSeries &seriesFor(const GpuInfo &g);
    static void recordOwners(GpuSeries &series, const GpuInfo &g, qint64 msecs);

    QList<GpuSeries> m_gpus;
};
