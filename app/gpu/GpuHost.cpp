#include "GpuHost.h"

GpuHost::GpuHost(QObject *parent) : QObject(parent) { }

GpuHost::~GpuHost() = default;

void GpuHost::nameOwners(GpuSnapshot snapshot, ProcessOwners &, int, const SnapshotDone &done)
{
    done(std::move(snapshot)); // processes are not seen there, or their owners are not known
}

QString GpuHost::noDriver()
{
    return QStringLiteral("no NVIDIA driver found");
}
