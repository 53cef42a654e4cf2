#pragma once

#include <QString>
#include <QStringList>

// Which GPUs a launch asks for. Devices are kept as the user picked them: an index ("0"),
// a GPU-UUID, a MIG-UUID, a MIG index ("0:1"), or a CDI name when the driver is "cdi".
struct GpuSelection
{
    enum class Mode { None, All, Count, Devices };

    Mode mode = Mode::None;
    int count = 1;       // for Mode::Count
    QStringList devices; // for Mode::Devices

    static GpuSelection none() { return {}; }
    static GpuSelection all() { return {Mode::All, 1, {}}; }
    static GpuSelection ofCount(int n) { return {Mode::Count, n, {}}; }
    static GpuSelection ofDevices(const QStringList &ids) { return {Mode::Devices, 1, ids}; }

    // "none", "all", "count", "devices": the preset file's "mode" values.
    static QString modeName(Mode mode);
    static bool modeFromName(const QString &name, Mode *mode);

    // Human summary for lists: "none", "all", "2 GPUs", "devices 0, 2".
    QString summary() const;

    bool operator==(const GpuSelection &other) const;
    bool operator!=(const GpuSelection &other) const { return !(*this == other); }
};
