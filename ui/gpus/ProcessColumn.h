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

// The column's words for a GPU, given the running containers holding it and the launch that
// claimed it and has not started (empty: none).
struct Cell
{
    QString text;
    QStringList details; // tooltip lines
    QStringList others;  // processes and idle holders not yours: what a tick warns about
    bool taken = false;  // a process runs there, or a container holds it idle
};
Cell cell(const GpuInfo &gpu, const QStringList &holders, const QString &claimer);

} // namespace ProcessColumn
