#include "gpus/ProcessColumn.h"

#include "gpus/GpuPanel.h"

#include <QLocale>

#include <algorithm>

namespace {

// "40 GiB", "2.5 GiB", "512 MiB": short enough for the Processes column.
QString shortSize(qint64 bytes)
{
    constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
    const double g = double(bytes) / kGiB;
    const bool whole = g >= 10 || g < 1 || qAbs(g - qRound(g)) < 0.05;
    return QLocale().formattedDataSize(bytes, whole ? 0 : 1);
}

} // namespace

namespace ProcessColumn {

QString text(const GpuInfo::Process &p)
{
    return p.usedMemory >= 0 ? GpuPanel::tr("%1 %2").arg(p.ownerLabel(), shortSize(p.usedMemory))
                             : p.ownerLabel();
}

QString details(const GpuInfo::Process &p)
{
    QStringList lines;
    lines << (p.usedMemory >= 0 ? GpuPanel::tr("PID %1, %2 of GPU memory")
                                      .arg(p.pid)
                                      .arg(QLocale().formattedDataSize(p.usedMemory))
                                : GpuPanel::tr("PID %1").arg(p.pid));
    if (p.inContainer()) {
        const GpuInfo::Container &c = p.container;
        lines << GpuPanel::tr("  container %1%2")
                     .arg(c.name.isEmpty() ? GpuPanel::tr("(not on this engine)") : c.name,
                          c.yours ? GpuPanel::tr(", launched from this window") : QString());
        if (!c.image.isEmpty())
            lines << GpuPanel::tr("  image %1").arg(c.image);
        lines << GpuPanel::tr("  ID %1 (%2)")
                     .arg(c.id.left(12),
                          c.engine.isEmpty() ? GpuPanel::tr("engine unknown") : c.engine);
    }
    if (!p.user.isEmpty())
        lines << GpuPanel::tr("  user %1").arg(p.user);
    if (!p.command.isEmpty())
        lines << GpuPanel::tr("  command %1").arg(p.command);
    if (!p.ownerKnown())
        lines << GpuPanel::tr("  owner unknown: %1").arg(p.unknownReason);
    return lines.join(QLatin1Char('\n'));
}

QStringList idleHolders(const GpuInfo &gpu, const QStringList &holders)
{
    QStringList idle;
    for (const QString &holder : holders) {
        const bool running = std::any_of(gpu.processes.cbegin(), gpu.processes.cend(),
                                         [&holder](const GpuInfo::Process &p) {
                                             return p.container.name == holder;
                                         });
        if (!running)
            idle << holder;
    }
    return idle;
}

Cell cell(const GpuInfo &gpu, const QStringList &holders, const QString &claimer)
{
    Cell out;
    const bool busy = gpu.processesKnown && !gpu.processes.isEmpty();
    if (!gpu.error.isEmpty()) {
        out.text = gpu.error;
    } else if (!gpu.processesKnown) {
        out.text = GpuPanel::tr("unknown");
    } else if (busy) {
        QStringList parts;
        for (const GpuInfo::Process &p : gpu.processes) {
            parts << text(p);
            out.details << details(p);
            if (!p.container.yours)
                out.others << text(p);
        }
        out.text = parts.join(QStringLiteral(" · "));
    } else if (gpu.isFree()) {
        out.text = GpuPanel::tr("free");
    } else {
        out.text = GpuPanel::tr("not free: %1").arg(gpu.busyReason());
    }
    out.taken = busy;
    if (gpu.error.isEmpty() && !holders.isEmpty()) {
        // Held by a container with no process there: still taken; a tick warns as for a process.
        const QStringList idle = idleHolders(gpu, holders);
        if (!idle.isEmpty()) {
            out.taken = true;
            const QString held =
                GpuPanel::tr("held by %1, idle").arg(idle.join(QStringLiteral(", ")));
            out.text = busy ? GpuPanel::tr("%1 · %2").arg(out.text, held) : held;
            out.details
                << GpuPanel::tr("Click to select %1 in the Containers view").arg(holders.first());
            for (const QString &holder : idle)
                out.others << GpuPanel::tr("%1 (it holds the GPU, idle)").arg(holder);
        }
    }
    // Another launch picked it and has not started yet (lapsed claims drop out at a refresh).
    if (gpu.error.isEmpty() && holders.isEmpty() && !busy && !claimer.isEmpty())
        out.text = GpuPanel::tr("claimed by %1 (starting)").arg(claimer);
    return out;
}

} // namespace ProcessColumn
