#pragma once

#include "gpu/GpuInfo.h"

#include <QString>
#include <QStringList>

// What the GPU table's Processes column says of a GPU's holders.
namespace ProcessColumn {

// "train-llm (container) 40 GiB": a process in a line of the column.
QString text(const GpuInfo::Process &p);
// Its tooltip lines: PID, memory, container, image, user, command, or why the owner is unknown.
QString details(const GpuInfo::Process &p);
// The containers among holders with no process on the GPU: they hold it idle.
QStringList idleHolders(const GpuInfo &gpu, const QStringList &holders);

} // namespace ProcessColumn
