#pragma once

#include <QString>

// One thing worth telling the user, said once per event (AlertRules decides when).
struct GpuAlert
{
    enum class Kind { GpuFree, IdleContainer, EccErrors, Throttling, XidError, LaunchFinished };

    Kind kind = Kind::GpuFree;
    QString gpuUuid;
    QString containerId;   // IdleContainer: the container to offer to stop
    QString text;          // one sentence, for the notification and the log line
    qint64 msecs = 0;      // the snapshot that raised it
    QString containerName; // IdleContainer, LaunchFinished: its name ("Stop NAME")
};
