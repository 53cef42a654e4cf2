#pragma once

#include "GpuSelection.h"
#include "engine/CdiSpecs.h"
#include "gpu/GpuInfo.h"

#include <QList>
#include <QString>
#include <QStringList>

// The CDI device names GPUs become: a picked index, UUID or MIG device d is "nvidia.com/gpu=d" (a
// name that is already qualified stays), All is "nvidia.com/gpu=all", a count N the first N
// indexes (and so does an unresolved "N free GPUs").
namespace CdiNames {

const QString &gpuKind(); // "nvidia.com/gpu"
QString nameFor(const QString &device);
QStringList forGpus(const GpuSelection &gpus);
// The devices that name these GPUs among a host's CDI devices: each GPU's index, as nvidia-ctk
// names them by default, or its UUID where only that is defined.
QStringList devicesFor(const QList<GpuInfo> &gpus, const CdiInventory &defined);

} // namespace CdiNames
