#pragma once

#include "common/Result.h"
#include "gpu/GpuSnapshot.h"

#include <QList>
#include <QString>

#include <memory>

// NVML loaded at run time with dlopen: the program has no link-time dependency on the driver and
// starts on hosts without one. GPUDECK_NVML_PATH, when set, is the full path of the library to
// load instead of libnvidia-ml.so.1 (for a driver in an unusual place, and for the tests).
class NvmlLibrary
{
public:
    enum class State { Closed, LibraryMissing, InitFailed, Open };

    NvmlLibrary();
    ~NvmlLibrary();
    NvmlLibrary(const NvmlLibrary &) = delete;
    NvmlLibrary &operator=(const NvmlLibrary &) = delete;

    // Loads and initialises NVML. The error is NoDriver with the reason; state() tells a missing
    // library (worth trying nvidia-smi) from one that is there but will not start.
    Result<void> open();
    void close();
    State state() const { return m_state; }
    QString libraryName() const;

    // Everything: driver, identity of each GPU (read once) and the first live figures.
    Result<GpuSnapshot> readAll();
    // Only the live figures, into a snapshot readAll() gave. XID errors come from NVML's event
    // set, drained with a timeout of 0: a read never waits for an event.
    void readLive(GpuSnapshot &snapshot);

private:
    struct Api;
    QString errorString(int code) const;
    void readLiveOne(int slot, GpuInfo &gpu);
    // Each process's SM utilisation from nvmlDeviceGetProcessUtilization, where the driver has it.
    void readProcessUtilization(int slot, GpuInfo &gpu);
    // Registers every GPU for XID critical errors; GPUs (or drivers) without events stay unwatched.
    void watchEvents();
    void drainEvents();

    std::unique_ptr<Api> m_api;
    void *m_handle = nullptr;
    State m_state = State::Closed;
    QList<void *> m_devices;  // nvmlDevice_t by position in the snapshot; null when it failed
    void *m_events = nullptr; // nvmlEventSet_t; null: no events watched
    QList<bool> m_watched;    // by position: registered for XID errors
    QList<qint64> m_xidCount; // by position
    QList<qint64> m_lastXid;  // by position
    // By position: the newest per-process utilisation sample's timestamp (microseconds), so that
    // each read asks only for samples newer than the last.
    QList<unsigned long long> m_utilSeen;
};
