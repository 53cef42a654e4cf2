#pragma once

#include "GpuSelection.h"

#include <QString>
#include <QStringList>

// The CDI device names GPUs become: a picked index, UUID or MIG device d is "nvidia.com/gpu=d" (a
// name that is already qualified stays), All is "nvidia.com/gpu=all", a count N the first N
// indexes (and so does an unresolved "N free GPUs").
namespace CdiNames {

const QString &gpuKind(); // "nvidia.com/gpu"
QString nameFor(const QString &device);
QStringList forGpus(const GpuSelection &gpus);

} // namespace CdiNames
