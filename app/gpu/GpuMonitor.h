#pragma once

#include "gpu/GpuHistory.h"
#include "gpu/GpuSnapshot.h"

#include <QObject>
#include <QTimer>

class ContainerDirectory;
class GpuInventory;

// Polls the GPUs on an interval and emits one updated() per read. Never blocks the thread it
// lives on: NVML runs on the inventory's own thread (nvmlInit may take seconds), nvidia-smi as an
// asynchronous QProcess. A tick that comes while a read is still running is skipped rather than
// queued.
class GpuMonitor : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 1000;

    explicit GpuMonitor(QObject *parent = nullptr);
    ~GpuMonitor() override;

    void setInterval(int ms);
    int interval() const { return m_timer.interval(); }

    // start() reads at once, then every interval(). pause() stops polling (a read in flight still
    // reports); resume() reads at once and polls again.
    void start();
    void pause();
    void resume();
    bool isRunning() const { return m_timer.isActive(); }

    // Names the containers of GPU processes through directory (null: IDs only). When it learns a
    // name (a lookup landed, an event renamed one) the latest snapshot is sent again with it,
    // without a new read.
    void setContainerDirectory(ContainerDirectory *directory);

    const GpuSnapshot &latest() const { return m_latest; }
    GpuInventory *inventory() const { return m_inventory; }
    // The last hour of every read, recorded before updated() is emitted.
    const GpuHistory &history() const { return m_history; }

signals:
    void updated(const GpuSnapshot &snapshot);

private:
    void tick();

    GpuInventory *m_inventory;
    QTimer m_timer;
    QTimer m_rename; // one re-send per burst of directory changes
    GpuSnapshot m_latest;
    GpuHistory m_history;
    QMetaObject::Connection m_directoryChanged;
};
