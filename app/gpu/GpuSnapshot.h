#pragma once

#include "common/Error.h"
#include "gpu/GpuInfo.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

// What one read of the host's GPUs gives: the driver, where the figures came from, the GPUs,
// and when there are none, the Error that says why (Error::Code::NoDriver).
class GpuSnapshot
{
public:
    enum class Source { None, Nvml, NvidiaSmi };

    Source source = Source::None;
    QString driverVersion; // "580.159.04"; empty when unknown
    QString cudaVersion;   // "13.0", the newest CUDA the driver runs; empty when unknown
    QList<GpuInfo> gpus;
    Error error;
    QDateTime taken;

    bool ok() const { return !error.isError(); }
    static QString sourceName(Source source);

    // Every field; unknown figures are null.
    QJsonObject toJson() const;
};

Q_DECLARE_METATYPE(GpuSnapshot)
