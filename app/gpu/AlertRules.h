#pragma once

#include "gpu/GpuAlert.h"
#include "gpu/GpuSnapshot.h"

#include <QHash>
#include <QList>
#include <QSet>

#include <optional>

// Turns the stream of snapshots into alerts, each said once per event: a GPU that was busy became
// free; a container has held GPUs at 0 % utilisation for idleMinutes (again only after it worked
// or left); NVML delivered an XID critical error; uncorrected ECC errors rose; a GPU began thermal or power throttling (again only
// after it stopped). No widgets and no clock of its own: the snapshots' times drive it, so an
// hour can be played in a test in milliseconds. A launch that ended is told through
// launchFinished(), once per launch, and only while the user looks elsewhere.
class AlertRules
{
public:
    struct Settings
    {
        bool gpuFree = true;
        bool idleContainer = true;
        int idleMinutes = 30;
        bool hardware = true; // XID errors, ECC and throttling
        bool launchFinished = true;
    };

    // A launch ended (name: its container's name, or its image); exitCode empty when it failed
    // before the container ran. Nothing when the window is in front (the user sees the tab) or
    // the alert is switched off.
    std::optional<GpuAlert> launchFinished(const QString &name, std::optional<qint64> exitCode,
                                           qint64 durationMs, bool windowInFront,
                                           qint64 nowMs) const;
    // "2 h 5 min", "3 min 20 s", "12 s".
    static QString duration(qint64 ms);

    void setSettings(const Settings &settings) { m_settings = settings; }
    const Settings &settings() const { return m_settings; }

    // The alerts this snapshot raises (empty for most).
    QList<GpuAlert> check(const GpuSnapshot &snapshot);

    // What an XID means, in a few words, for the XIDs NVIDIA's XID catalogue names most often;
    // empty for the others.
    static QString xidMeaning(qint64 xid);

    static constexpr qint64 kThermalReasons = 0x8 | 0x20 | 0x40; // HW, SW thermal, HW thermal
    static constexpr qint64 kPowerReasons = 0x4 | 0x80;          // SW power cap, HW power brake

private:
    struct GpuState
    {
        bool seen = false;
        bool busy = false;
        QString holders; // who held it when last busy
        qint64 ecc = -1;
        qint64 xid = -1; // XID errors counted at the last snapshot
        bool throttled = false;
    };
    struct IdleState
    {
        QString name;
        QStringList gpus;      // "GPU 0" ...
        qint64 idleSince = -1; // ms; -1: working
        bool told = false;
    };

    Settings m_settings;
    QHash<QString, GpuState> m_gpus;        // by UUID
    QHash<QString, IdleState> m_containers; // by container ID
};
