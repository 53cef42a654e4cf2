#pragma once

#include <QtGlobal>

// One second of one GPU in the history. Unknown figures are -1, as in GpuInfo; memory in MiB and
// power in tenths of a watt keep a sample at 24 bytes (an hour of 8 GPUs well under a megabyte).
struct GpuSample
{
    qint64 msecs = 0; // when the snapshot was taken, ms since the epoch
    qint32 memoryUsedMiB = -1;
    qint32 powerDeciW = -1;
    qint16 gpuUtil = -1;     // percent
    qint16 temperature = -1; // degrees C
    qint32 smClock = -1;     // MHz
};

// One owner's GPU memory at one sample, and the SM utilisation of its processes there summed
// (NVML's per-process figures, capped at 100; -1: none of them had one). Still 24 bytes.
struct OwnerSample
{
    qint64 msecs = 0;
    qint64 memoryBytes = 0;
    qint16 smUtil = -1; // percent
};
