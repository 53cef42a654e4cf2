#pragma once

#include "gpu/GpuInfo.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QStringList>

// Parses what nvidia-smi prints. Pure functions, so the real captures can be tested without a GPU.
// Tolerant by design: "[N/A]", "[Not Supported]", empty and missing columns become unknown (-1),
// units after numbers ("81559 MiB") and a header line (--format=csv without noheader) are accepted.
class NvidiaSmiParser
{
public:
    // The --query-gpu fields asked for the first read (identity and figures) and then each poll.
    static QStringList identityFields();
    static QStringList liveFields();

    // Rows of --query-gpu output. fields names the columns in order; a header line, when present,
    // takes precedence. driverVersion receives the driver_version column when asked for.
    static QList<GpuInfo> parseQueryGpu(const QByteArray &csv, const QStringList &fields,
                                        QString *driverVersion = nullptr);

    // --query-compute-apps=gpu_uuid,pid,used_memory: processes keyed by GPU UUID.
    static QMap<QString, QList<GpuInfo::Process>> parseComputeApps(const QByteArray &csv);

    // nvidia-smi -L: the MIG devices of each GPU, keyed by GPU index.
    static QMap<int, QList<GpuInfo::MigDevice>> parseList(const QByteArray &text);

    // The driver's CUDA version ("13.0") from the table's header ("CUDA Version: 13.0") or from
    // -q -x (<cuda_version>13.0</cuda_version>); empty when neither is there.
    static QString cudaVersion(const QByteArray &output);

    // nvidia-smi's own complaint (e.g. "couldn't communicate with the NVIDIA driver"), one line.
    static QString failureReason(const QByteArray &output);
};
