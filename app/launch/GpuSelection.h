#pragma once

#include <QString>
#include <QStringList>

// Which GPUs a launch asks for. Devices are kept as the user picked them: an index ("0"),
// a GPU-UUID, a MIG-UUID, a MIG index ("0:1"), or a CDI name when the driver is "cdi".
struct GpuSelection
{
    // Free: N GPUs of the engine's host that nobody uses, resolved into explicit devices at
    // launch (FreeGpuPicker); docker's own Count takes the first N whether busy or not.
    enum class Mode { None, All, Count, Devices, Free };

    Mode mode = Mode::None;
    int count = 1;       // for Mode::Count and Mode::Free
    QStringList devices; // for Mode::Devices

    static GpuSelection none() { return {}; }
    static GpuSelection all() { return {Mode::All, 1, {}}; }
    static GpuSelection ofCount(int n) { return {Mode::Count, n, {}}; }
    static GpuSelection ofDevices(const QStringList &ids) { return {Mode::Devices, 1, ids}; }
    static GpuSelection ofFree(int n) { return {Mode::Free, n, {}}; }

    bool hasCount() const { return mode == Mode::Count || mode == Mode::Free; }

    // "none", "all", "count", "devices", "free": the preset file's "mode" values.
    static QString modeName(Mode mode);
    static bool modeFromName(const QString &name, Mode *mode);

    // Human summary for lists: "no GPUs", "all GPUs", "2 GPUs", "GPUs 0, 2", "2 free GPUs".
    QString summary() const;

    bool operator==(const GpuSelection &other) const;
    bool operator!=(const GpuSelection &other) const { return !(*this == other); }
};
